// latency.p99: 99% of responses come back within the limit. Uses the run's own histogram when the
// caller passes it; otherwise estimates the run's p99 from the per-second summaries.
// On a run with faults, like errors.rate, it judges the seconds outside the fault windows (and a grace
// after each), estimated from their per-second summaries: a 300 ms latency toxic or a blackhole makes
// responses slow by design, and chaos.answers / chaos.recovery judge those seconds.

import type { RuleResult } from '../run-record.ts';
import { notJudged } from './ceiling.ts';
import { DEFAULT_GRACE_SEC, faultWindows, secondsOutsideFaults } from './chaos-windows.ts';
import { ms, num } from './format.ts';
import type { GateInput } from './input.ts';
import { within, type DurationLimit } from './limits.ts';
import { percentileFromSummaries } from './stats.ts';

export function latencyRule(input: GateInput, limit: DurationLimit, graceSec = DEFAULT_GRACE_SEC): RuleResult {
  const name = 'latency.p99';
  const windows = faultWindows(input.events, input.loadEndSec);
  const answered = secondsOutsideFaults(input.load, windows, graceSec).filter((s) => s.completed > 0);
  const histogram = windows.length === 0 ? input.latency : undefined;
  if (!histogram && answered.length === 0) {
    return notJudged(name, limit, windows.length === 0 ? 'no responses were received' : 'no responses were received outside the fault windows');
  }
  const estimated = !histogram;
  const p99 = histogram?.p99 ?? percentileFromSummaries(answered.map((s) => ({ n: s.completed, ...s.latency })), 99);
  const passed = within(p99, limit.op, limit.ms);
  const how =
    windows.length > 0
      ? ` outside the ${windows.length} fault window${windows.length === 1 ? '' : 's'} and ${num(graceSec)} s after each (estimated from per-second percentiles)`
      : estimated
        ? ' (estimated from per-second percentiles)'
        : '';
  return {
    name,
    passed,
    limit: limit.text,
    value: ms(p99),
    message: passed
      ? `99% of responses came back within ${ms(p99)}${how}, inside the ${ms(limit.ms)} limit.`
      : `The slowest 1% of responses took ${ms(p99)} or more${how}, over the ${ms(limit.ms)} limit.`,
  };
}
