// chaos.answers: while a fault is active (and for the grace after its revert), the service sheds load
// honestly: it answers 2xx or 503, never 500 or another 5xx, and leaves few requests unanswered.
// The limit is the share of requests left without an answer (timeout, reset, refused); any 5xx other
// than 503 fails the rule outright.

import type { RuleResult } from '../run-record.ts';
import { secondsDuringFaults, type FaultWindow } from './chaos-windows.ts';
import { notJudged } from './ceiling.ts';
import { num, pct } from './format.ts';
import { within, type ShareLimit } from './limits.ts';
import type { GateInput } from './input.ts';

export interface FaultAnswers {
  total: number;
  ok: number;
  shed: number;
  /** 5xx other than 503, by code. */
  serverErrors: Record<string, number>;
  clientErrors: number;
  noAnswer: number;
  noAnswerByKind: Record<string, number>;
}

export function answersDuringFaults(input: Pick<GateInput, 'load'>, windows: readonly FaultWindow[], graceSec: number): FaultAnswers {
  const out: FaultAnswers = { total: 0, ok: 0, shed: 0, serverErrors: {}, clientErrors: 0, noAnswer: 0, noAnswerByKind: {} };
  for (const s of secondsDuringFaults(input.load, windows, graceSec)) {
    for (const [code, n] of Object.entries(s.status)) {
      out.total += n;
      if (code.startsWith('2')) out.ok += n;
      else if (code === '503') out.shed += n;
      else if (code.startsWith('5')) out.serverErrors[code] = (out.serverErrors[code] ?? 0) + n;
      else if (code.startsWith('4')) out.clientErrors += n;
    }
    for (const [kind, n] of Object.entries(s.errors)) {
      out.total += n;
      out.noAnswer += n;
      out.noAnswerByKind[kind] = (out.noAnswerByKind[kind] ?? 0) + n;
    }
  }
  return out;
}

export function chaosAnswersRule(input: GateInput, windows: readonly FaultWindow[], limit: ShareLimit, graceSec: number): RuleResult {
  const name = 'chaos.answers';
  const a = answersDuringFaults(input, windows, graceSec);
  const when = `while the ${windows.length} fault${windows.length === 1 ? ' was' : 's were'} active or within ${num(graceSec)} s of the revert`;
  if (a.total === 0) return notJudged(name, limit, `no request was answered or failed ${when}`);
  const bad = Object.values(a.serverErrors).reduce((x, n) => x + n, 0);
  const share = a.noAnswer / a.total;
  const noAnswerOk = within(share, limit.op, limit.fraction);
  const passed = bad === 0 && noAnswerOk;
  const list = (m: Record<string, number>) =>
    Object.entries(m)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${num(n, 0)}`)
      .join(', ');
  const parts = [`${num(a.ok, 0)} answered 2xx`, `${num(a.shed, 0)} shed with 503`];
  if (bad > 0) parts.push(`${num(bad, 0)} answered another 5xx (${list(a.serverErrors)})`);
  if (a.clientErrors > 0) parts.push(`${num(a.clientErrors, 0)} answered 4xx`);
  parts.push(`${num(a.noAnswer, 0)} got no answer${a.noAnswer > 0 ? ` (${list(a.noAnswerByKind)})` : ''}`);
  const verdict = passed
    ? 'the service shed load with 503 instead of failing'
    : [
        bad > 0 ? `${num(bad, 0)} answers were server errors other than 503: under a fault the service must shed with 503 + Retry-After, not fail` : '',
        noAnswerOk ? '' : `${pct(share)} got no answer at all, more than the ${pct(limit.fraction)} allowed`,
      ]
        .filter(Boolean)
        .join('; ');
  return {
    name,
    passed,
    limit: limit.text,
    value: `${num(bad, 0)} other 5xx, ${pct(share)} no answer`,
    message: `Of ${num(a.total, 0)} requests ${when}: ${parts.join(', ')}; ${verdict}.`,
  };
}
