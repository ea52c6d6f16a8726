// latency.p99: 99% of responses come back within the limit. Uses the run's own histogram when the
// caller passes it; otherwise estimates the run's p99 from the per-second summaries.

import type { RuleResult } from '../run-record.ts';
import { notJudged } from './ceiling.ts';
import { ms } from './format.ts';
import type { GateInput } from './input.ts';
import { within, type DurationLimit } from './limits.ts';
import { percentileFromSummaries } from './stats.ts';

export function latencyRule(input: GateInput, limit: DurationLimit): RuleResult {
  const name = 'latency.p99';
  const answered = input.load.filter((s) => s.completed > 0);
  if (!input.latency && answered.length === 0) return notJudged(name, limit, 'no responses were received');
  const estimated = !input.latency;
  const p99 = input.latency?.p99 ?? percentileFromSummaries(answered.map((s) => ({ n: s.completed, ...s.latency })), 99);
  const passed = within(p99, limit.op, limit.ms);
  const how = estimated ? ' (estimated from per-second percentiles)' : '';
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
