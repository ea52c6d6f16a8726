// connections.ceiling / channels.ceiling: the highest level held during the run (the model's peak) stays
// under the idle baseline plus an allowance per unit. A spike shorter than `holdSec` is not a level.
// Connections default to 2 per unit (RabbitMQ: one connection for publishing, one for consuming);
// channels have no ceiling unless the user sets one (a bounded pool of any size is fine).

import type { RuleResult } from '../run-record.ts';
import { num, perUnitText } from './format.ts';
import { countSeries, Title, type Baseline, type GateInput } from './input.ts';
import { countAllowed, within, type CountLimit, type Resource } from './limits.ts';
import type { ResourceModel } from './model.ts';
import { withGaps } from './judged-window.ts';
import type { Point } from './stats.ts';

export const CONNECTION_DOCTRINE = "RabbitMQ's guidance: one long-lived connection for publishing and one for consuming per process";

export function ceilingRule(input: GateInput, model: ResourceModel, limit: CountLimit, baseline: Baseline, holdSec: number): RuleResult {
  const resource = model.resource;
  const name = `${resource}.ceiling`;
  const during = countSeries(input.broker, resource).filter((p) => p.t >= 0);
  if (during.length < 2 || !Number.isFinite(model.peak.level)) return notJudged(name, limit, `no broker samples were taken after the load started, so the ${resource} peak is unknown`);

  const allowed = countAllowed(limit, baseline[resource], input.units);
  const peak = model.peak.level;
  const passed = within(peak, limit.op, allowed);
  const doctrine = resource === 'connections' && limit.perUnit > 0 ? `; ${CONNECTION_DOCTRINE}` : '';
  const what = `the ceiling of ${num(allowed)} (${describeCount(limit, baseline, resource, input)}${doctrine})`;
  let message: string;
  if (passed) {
    message = `${Title(resource)} peaked at ${num(peak)}, within ${what}`;
    if (!within(model.rawPeak, limit.op, allowed)) message += `; a spike to ${num(model.rawPeak)} lasted under ${num(holdSec)} s and was not counted`;
  } else {
    message = `${Title(resource)} rose to ${num(peak)}, above ${what}, and stayed above it for ${num(secondsAbove(during, allowed, limit.op))} s`;
  }
  return withGaps({ name, passed, limit: limit.text, value: num(peak), message: `${message}.` }, model.gaps, 0, input.loadEndSec);
}

/** Total time covered by consecutive samples that were both over the limit. */
export function secondsAbove(points: readonly Point[], allowed: number, op: CountLimit['op']): number {
  let total = 0;
  for (let i = 1; i < points.length; i++) {
    if (!within(points[i - 1]!.v, op, allowed) && !within(points[i]!.v, op, allowed)) total += points[i]!.t - points[i - 1]!.t;
  }
  return total;
}

const UNITS_FROM: Record<string, string> = { processes: 'counted from the broker', 'connection-names': 'counted from connection names' };

export function describeCount(limit: CountLimit, baseline: Baseline, resource: Resource, input: Pick<GateInput, 'units' | 'unitsSource'>, bound?: number): string {
  const parts: string[] = [];
  if (limit.fromBaseline) parts.push(`baseline ${num(baseline[resource])}`);
  if (limit.fromBound) parts.push(bound === undefined ? `no bound held, so the idle baseline ${num(baseline[resource])}` : `the bound of ${num(bound)} held during the load`);
  if (limit.perUnit) {
    const from = input.unitsSource ? UNITS_FROM[input.unitsSource] : undefined;
    parts.push(`${perUnitText(limit.perUnit, input.units)}${from ? ` ${from}` : ''}`);
  }
  if (limit.absolute || parts.length === 0) parts.push(num(limit.absolute));
  return parts.join(' + ');
}

export function notJudged(name: string, limit: { text: string }, why: string): RuleResult {
  // A gate that cannot see must not pass: a silent pass is how an outage ships.
  return { name, passed: false, limit: limit.text, value: 'n/a', message: `Not judged: ${why}.` };
}
