// errors.rate: requests answered 5xx or not answered at all (timeout, reset, refused), over requests sent.
// 4xx are the client's fault and the scenario's business, not the service's.

import type { RuleResult } from '../run-record.ts';
import { notJudged } from './ceiling.ts';
import { num, pct } from './format.ts';
import { totalSent, type GateInput } from './input.ts';
import { within, type ShareLimit } from './limits.ts';

export function errorCounts(load: GateInput['load']): { fiveXx: number; noResponse: number; byKind: Record<string, number> } {
  let fiveXx = 0;
  let noResponse = 0;
  const byKind: Record<string, number> = {};
  for (const s of load) {
    for (const [code, n] of Object.entries(s.status)) if (code.startsWith('5')) fiveXx += n;
    for (const [kind, n] of Object.entries(s.errors)) {
      noResponse += n;
      byKind[kind] = (byKind[kind] ?? 0) + n;
    }
  }
  return { fiveXx, noResponse, byKind };
}

export function errorsRule(input: GateInput, limit: ShareLimit): RuleResult {
  const name = 'errors.rate';
  const sent = totalSent(input.load);
  if (sent === 0) return notJudged(name, limit, 'no requests were sent');
  const { fiveXx, noResponse, byKind } = errorCounts(input.load);
  const rate = (fiveXx + noResponse) / sent;
  const passed = within(rate, limit.op, limit.fraction);
  const kinds = Object.entries(byKind)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${num(n, 0)}`)
    .join(', ');
  const detail = `${num(fiveXx, 0)} answered 5xx, ${num(noResponse, 0)} got no answer${kinds ? ` (${kinds})` : ''}`;
  return {
    name,
    passed,
    limit: limit.text,
    value: pct(rate),
    message:
      fiveXx + noResponse === 0
        ? `None of the ${num(sent, 0)} requests failed: no 5xx answers, none left unanswered.`
        : `${pct(rate)} of ${num(sent, 0)} requests failed: ${detail}${passed ? '' : `, more than the ${pct(limit.fraction)} allowed`}.`,
  };
}
