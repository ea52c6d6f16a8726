// errors.rate and latency.p99 for one call (`latency.p99[item-put]<300ms`), judged from that call's own
// whole-run results: its failed and unanswered requests over those it sent, its own latency histogram.
// A limit naming a call the run never had fails, so a typo cannot pass as a rule that held.
import type { CallSummary, RuleResult } from '../run-record.ts';
import { notJudged } from './ceiling.ts';
import { ms, num, pct } from './format.ts';
import { within, type CallLimit } from './limits.ts';

export function callRules(calls: Record<string, CallSummary> | undefined, limits: readonly CallLimit[], withFaults: boolean): RuleResult[] {
  const out: RuleResult[] = [];
  for (const l of limits) {
    if (!l.limit) continue;
    const name = `${l.rule}[${l.call}]`;
    const c = calls?.[l.call];
    if (!c) {
      const known = Object.keys(calls ?? {});
      out.push({ name, passed: false, limit: l.limit.text, value: 'no such call', message: `The run had no call named ${l.call}${known.length > 0 ? ` (its calls: ${known.join(', ')})` : ''}; fix the limit's [call] name.` });
      continue;
    }
    const faults = withFaults ? ' (whole run, fault windows included)' : '';
    if (l.rule === 'errors.rate') {
      if (c.sent === 0) {
        out.push(notJudged(name, l.limit, `${l.call} was never sent`));
        continue;
      }
      const failed = c.classes.failed + c.classes.noAnswer;
      const rate = failed / c.sent;
      const passed = within(rate, l.limit.op, l.limit.fraction);
      out.push({
        name,
        passed,
        limit: l.limit.text,
        value: pct(rate),
        message: `${pct(rate)} of ${num(c.sent, 0)} ${l.call} requests failed${faults}: ${num(c.classes.failed, 0)} answered an unexpected status, ${num(c.classes.noAnswer, 0)} got no answer` +
          `${c.classes.refused > 0 ? ` (${num(c.classes.refused, 0)} refused by design did not count)` : ''}${passed ? '' : `, more than the ${pct(l.limit.fraction)} allowed`}.`,
      });
    } else {
      const answered = Object.values(c.status).reduce((a, n) => a + n, 0);
      if (answered === 0) {
        out.push(notJudged(name, l.limit, `${l.call} got no responses`));
        continue;
      }
      const p99 = c.latency.p99;
      const passed = within(p99, l.limit.op, l.limit.ms);
      out.push({
        name,
        passed,
        limit: l.limit.text,
        value: ms(p99),
        message: passed
          ? `99% of ${l.call} responses came back within ${ms(p99)}${faults}, inside the ${ms(l.limit.ms)} limit.`
          : `The slowest 1% of ${l.call} responses took ${ms(p99)} or more${faults}, over the ${ms(l.limit.ms)} limit.`,
      });
    }
  }
  return out;
}
