// Abort-on-fail: called while the run is going (with the data so far) to tell whether a rule has
// *certainly* failed, so the load can stop early and the verdict arrive in seconds. Only verdicts
// that no later sample can undo count: a held level over a ceiling (or channels per connection over
// their sanity limit) for `abortAfterSec` — the model's peak can only rise — or failures that already
// exceed the limit's share of every request the schedule will ever send. Growth never aborts: a pool
// still filling at this point is not yet anything, bounded or not (model.ts).

import { DEFAULT_GRACE_SEC, faultWindows, secondsOutsideFaults } from './chaos-windows.ts';
import { CONNECTION_DOCTRINE } from './ceiling.ts';
import { errorCounts } from './errors.ts';
import { baselineOf, countSeries, Title, type GateInput } from './input.ts';
import { countAllowed, RESOURCES, withDefaults, within, type Comparison, type GateLimits } from './limits.ts';
import { num, pct } from './format.ts';
import { heldLevels, type Point } from './stats.ts';

export interface AbortDecision {
  rule: string;
  reason: string;
}

/** `nowSec` defaults to the latest broker sample or load second. */
export function checkAbort(input: GateInput, limits: Partial<GateLimits> = {}, nowSec?: number): AbortDecision | null {
  const l = withDefaults(limits);
  const baseline = baselineOf(input);
  const soFar = input.broker.filter((s) => nowSec === undefined || s.t <= nowSec);
  for (const r of RESOURCES) {
    const limit = l[`${r}.ceiling`];
    if (!limit) continue;
    const allowed = countAllowed(limit, baseline[r], input.units);
    const over = heldOver(countSeries(soFar, r), allowed, limit.op, l.holdSec, l.abortAfterSec);
    if (over) {
      const why = r === 'connections' && limit.perUnit > 0 ? `; ${CONNECTION_DOCTRINE}` : '';
      return {
        rule: `${r}.ceiling`,
        reason: `${Title(r)} stayed above the ceiling of ${num(allowed)} for ${num(over.seconds)} s (now ${num(over.now)}, limit ${limit.text}${why}).`,
      };
    }
  }
  const perConnection = l['channels.per-connection'];
  if (perConnection) {
    const ratio = soFar.filter((s) => s.connections > 0).map((s) => ({ t: s.t, v: s.channels / s.connections }));
    const over = heldOver(ratio, perConnection.absolute, perConnection.op, l.holdSec, l.abortAfterSec);
    if (over) return { rule: 'channels.per-connection', reason: `Channels per connection stayed above ${num(perConnection.absolute)} for ${num(over.seconds)} s (now ${num(over.now)}).` };
  }

  const now = nowSec ?? Math.max(0, ...input.load.map((s) => s.t + 1));
  const plannedTotal = plannedRequests(input, now);
  if (plannedTotal > 0) {
    const errors = l['errors.rate'];
    if (errors) {
      // 503s during a fault are the fix shedding load; errors.rate judges the seconds outside the faults
      // (an open fault window runs to now), so the abort does too.
      const outside = secondsOutsideFaults(input.load, faultWindows(input.events, now), l['chaos.recovery'] ? l['chaos.recovery'].ms / 1000 : DEFAULT_GRACE_SEC);
      const { fiveXx, noResponse } = errorCounts(outside);
      const failed = fiveXx + noResponse;
      if (!within(failed / plannedTotal, errors.op, errors.fraction)) {
        return { rule: 'errors.rate', reason: `${num(failed, 0)} requests already failed, ${pct(failed / plannedTotal)} of all ${num(plannedTotal, 0)} the run will send (limit ${errors.text}).` };
      }
    }
    const dropped = l['load.dropped'];
    if (dropped) {
      const n = input.load.reduce((a, s) => a + s.dropped, 0);
      if (!within(n / plannedTotal, dropped.op, dropped.fraction)) {
        return { rule: 'load.dropped', reason: `${num(n, 0)} requests were already dropped, ${pct(n / plannedTotal)} of all ${num(plannedTotal, 0)} the run will schedule (limit ${dropped.text}).` };
      }
    }
  }
  return null;
}

/**
 * Every request the run will have sent at the end: those sent so far plus the schedule's remainder,
 * with 5% headroom so a slightly generous schedule never makes a failure look certain too early.
 */
function plannedRequests(input: GateInput, nowSec: number): number {
  const sent = input.load.reduce((a, s) => a + Math.max(s.sent, s.scheduled), 0);
  let remaining = 0;
  for (const p of input.phases) {
    const from = Math.max(p.startSec, nowSec);
    if (p.endSec <= from) continue;
    const rate = (t: number) => p.fromRps + ((p.toRps - p.fromRps) * (t - p.startSec)) / Math.max(1e-9, p.endSec - p.startSec);
    remaining += ((rate(from) + rate(p.endSec)) / 2) * (p.endSec - from);
  }
  return (sent + remaining) * 1.05;
}

/** The latest unbroken run of held levels (as the model reads them) over the limit, if it lasted `forSec`. */
function heldOver(points: readonly Point[], allowed: number, op: Comparison, holdSec: number, forSec: number): { seconds: number; now: number } | null {
  const during = points.filter((p) => p.t >= 0);
  const held = heldLevels(during, holdSec);
  let i = held.length - 1;
  while (i >= 0 && !within(held[i]!.v, op, allowed)) i--;
  const run = held.slice(i + 1);
  if (run.length < 2 || run[run.length - 1]!.t - run[0]!.t < forSec) return null;
  return { seconds: run[run.length - 1]!.t - run[0]!.t, now: during[during.length - 1]!.v };
}
