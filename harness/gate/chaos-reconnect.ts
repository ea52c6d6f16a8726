// chaos.reconnect, the reconnect-storm check: after a cluster node was stopped or killed, the target's
// connections must be back on the surviving nodes within the chaos.recovery limit, and no more of them
// than before (one per unit, not a storm of retries piling up on the survivors). Read from the node
// faults' timeline notes (harness/chaos/reconnect-note.ts); judged only on runs that have them.

import { parseReconnectNote } from '../chaos/reconnect-note.ts';
import type { RuleResult, TimelineEvent } from '../run-record.ts';
import { num } from './format.ts';
import { within, type DurationLimit } from './limits.ts';

export function chaosReconnectRule(events: readonly TimelineEvent[] | undefined, limit: DurationLimit): RuleResult | undefined {
  const notes = (events ?? []).filter((e) => e.kind === 'note').map((e) => parseReconnectNote(e.message)).filter((n) => n !== undefined);
  if (notes.length === 0) return undefined;
  const limitSec = limit.ms / 1000;
  const problems: string[] = [];
  for (const n of notes) {
    const what = `${n.action} of ${n.node}`;
    if (n.landedAfterSec === undefined) problems.push(`${what}: only ${n.peak} of ${n.expected} connection(s) came back on the surviving nodes in ${num(n.watchedSec)} s`);
    else if (!within(n.landedAfterSec, limit.op, limitSec)) problems.push(`${what}: back on the surviving nodes after ${num(n.landedAfterSec)} s`);
    if (n.peak > n.expected) problems.push(`${what}: the surviving nodes held ${n.peak} connections, more than the ${n.expected} there were before (a reconnect storm)`);
  }
  const times = notes.map((n) => n.landedAfterSec ?? Number.POSITIVE_INFINITY);
  const worst = Math.max(...times);
  const passed = problems.length === 0;
  return {
    name: 'chaos.reconnect',
    passed,
    limit: `${limit.text}, no more connections than before`,
    value: Number.isFinite(worst) ? `${num(worst)} s` : 'never',
    message: passed
      ? `After each of ${notes.length} node fault${notes.length === 1 ? '' : 's'} the target's connections were back on the surviving nodes within ${num(worst)} s (limit ${num(limitSec)} s), no more of them than before.`
      : `${problems.length} reconnection problem${problems.length === 1 ? '' : 's'} after node faults: ${problems.join('; ')}.`,
  };
}
