import type { TimelineEvent } from '../run-record.ts';

export interface ActionTiming {
  /** When the timeline meant the action to start, e.g. "12.000 s"; empty for events that are no action. */
  scheduled: string;
  /** How late the action began against that, e.g. "+35 ms". */
  late: string;
  /** How long the action took, e.g. "12 ms" (a rabbitmqctl call under load: seconds). */
  took: string;
}

const ms = (sec: number) => `${Math.round(sec * 1000)} ms`;

/** A fault action's scheduled vs actual start and its duration, as the report's timeline shows them. */
export function actionTiming(ev: TimelineEvent): ActionTiming {
  const { scheduledSec, actionStartSec, actionEndSec } = ev;
  const late = scheduledSec !== undefined && actionStartSec !== undefined ? actionStartSec - scheduledSec : undefined;
  return {
    scheduled: scheduledSec !== undefined ? `${scheduledSec.toFixed(3)} s` : '',
    late: late !== undefined ? `${late >= 0 ? '+' : '−'}${ms(Math.abs(late))}` : '',
    took: actionStartSec !== undefined && actionEndSec !== undefined ? ms(actionEndSec - actionStartSec) : '',
  };
}
