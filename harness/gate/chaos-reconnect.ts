// chaos.reconnect, the one owner of the reconnect-storm judgement: after a cluster node went away, the
// target's connections must be back on the surviving nodes within the chaos.recovery limit, and no more of
// them than before (one per unit, not a storm of retries piling up on the survivors).
//
// Each node loss is judged from one source only. A loss this run caused (node-stop/node-kill) has the
// fault's own account on the timeline (harness/chaos/reconnect-note.ts): the target's connections per
// node, read from the management API every 250 ms, the harness's own left out. A loss nobody scheduled (a
// node of an external cluster that went) has only the per-node samples: the total, past the recovery
// limit, must not stay above the level held before the loss. connections.nodes judges the per-node
// ceilings and leaves the reconnect windows to this rule, so the two can no longer disagree.

import { parseReconnectNote, type ReconnectNote } from '../chaos/reconnect-note.ts';
import type { RuleResult } from '../run-record.ts';
import { num } from './format.ts';
import type { GateInput } from './input.ts';
import { within, type DurationLimit } from './limits.ts';
import { nodeLosses, type NodeLoss } from './nodes.ts';

export const RECONNECT_RULE = 'chaos.reconnect';

type ReconnectInput = Pick<GateInput, 'events' | 'broker' | 'loadEndSec' | 'nodes'>;

/** The node faults' notes, in timeline order. */
export function reconnectNotes(input: Pick<GateInput, 'events'>): ReconnectNote[] {
  return (input.events ?? []).filter((e) => e.kind === 'note').map((e) => parseReconnectNote(e.message)).filter((n) => n !== undefined);
}

/** Node losses seen only in the per-node samples: those of a node no node fault of this run accounted for. */
export function unscheduledLosses(input: ReconnectInput, notes: readonly ReconnectNote[], recoverySec: number, holdSec: number): NodeLoss[] {
  if (!input.nodes || input.nodes.length < 2) return [];
  const accounted = new Set(notes.map((n) => n.node));
  return nodeLosses(input, input.nodes.map((n) => n.node), recoverySec, holdSec).filter((l) => !accounted.has(l.node));
}

export function chaosReconnectRule(input: ReconnectInput, limit: DurationLimit, holdSec: number): RuleResult | undefined {
  const limitSec = limit.ms / 1000;
  const notes = reconnectNotes(input);
  const losses = unscheduledLosses(input, notes, limitSec, holdSec);
  if (notes.length === 0 && losses.length === 0) return undefined;
  const problems: string[] = [];
  const fine: string[] = [];
  for (const n of notes) {
    const what = `${n.action} of ${n.node}`;
    if (n.landedAfterSec === undefined) problems.push(`${what}: only ${n.peak} of ${n.expected} connection(s) came back on the surviving nodes in ${num(n.watchedSec)} s`);
    else if (!within(n.landedAfterSec, limit.op, limitSec)) problems.push(`${what}: back on the surviving nodes after ${num(n.landedAfterSec)} s`);
    if (n.peak > n.expected) problems.push(`${what}: the surviving nodes held ${n.peak} connections, more than the ${n.expected} there were before (a reconnect storm)`);
  }
  for (const loss of losses) {
    const lost = `${loss.node} stopped answering at ${num(loss.at)} s (no node fault of this run)`;
    if (!loss.heldAfter) {
      fine.push(`${lost}; ${loss.back !== undefined ? `it was back at ${num(loss.back)} s` : 'the load ended'}, before the ${num(limitSec)} s recovery limit`);
      continue;
    }
    const b = loss.busiest;
    const collected = b && b.of > 0 ? `${b.node} held ${b.connections === b.of ? `all ${num(b.of)}` : `${num(b.connections)} of ${num(b.of)}`} connections ${num(limitSec)} s later` : '';
    if (loss.heldAfter.v > loss.before) {
      problems.push(
        `${lost}: connections stayed above the ${num(loss.before)} held before it, ${num(loss.heldAfter.v)} held at ${num(loss.heldAfter.t)} s, past the ${num(limitSec)} s recovery limit` +
          `${collected ? ` (${collected})` : ''}: the clients reconnected with more connections than they had (a reconnect storm)`,
      );
    } else {
      fine.push(`${lost}; ${collected ? `${collected}, and ` : ''}the total stayed within the ${num(loss.before)} held before it`);
    }
  }
  const passed = problems.length === 0;
  const worst = Math.max(...notes.map((n) => n.landedAfterSec ?? Number.POSITIVE_INFINITY));
  const value = notes.length === 0 ? `${losses.length} node loss${losses.length === 1 ? '' : 'es'}` : Number.isFinite(worst) ? `${num(worst)} s` : 'never';
  const faults =
    notes.length > 0
      ? `After each of ${notes.length} node fault${notes.length === 1 ? '' : 's'} the target's connections were back on the surviving nodes within ${num(worst)} s (limit ${num(limitSec)} s), no more of them than before`
      : undefined;
  return {
    name: RECONNECT_RULE,
    passed,
    limit: `${limit.text}, no more connections than before`,
    value,
    message: passed
      ? `${[faults, ...fine].filter((s) => s !== undefined).join('; ')}.`
      : `${problems.length} reconnection problem${problems.length === 1 ? '' : 's'} after node losses: ${problems.join('; ')}.`,
  };
}
