// errors.rate: requests answered 5xx or not answered at all (timeout, reset, refused), over requests sent.
// 4xx are the client's fault and the scenario's business, not the service's.
// On a run with faults, only the seconds outside the fault windows (and a grace after each revert) are
// judged here: 503s while the broker is in alarm are the fix working, and chaos.answers judges those.

import type { RuleResult } from '../run-record.ts';
import { coveredSeconds, DEFAULT_GRACE_SEC, faultWindows, secondsOutsideFaults } from './chaos-windows.ts';
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

function outcomes(load: GateInput['load']): number {
  let n = 0;
  for (const s of load) {
    for (const k of Object.values(s.status)) n += k;
    for (const k of Object.values(s.errors)) n += k;
  }
  return n;
}

export function errorsRule(input: GateInput, limit: ShareLimit, graceSec = DEFAULT_GRACE_SEC): RuleResult {
  const name = 'errors.rate';
  const windows = faultWindows(input.events, input.loadEndSec);
  const load = secondsOutsideFaults(input.load, windows, graceSec);
  const scope =
    windows.length === 0
      ? ''
      : `Outside the ${windows.length} fault window${windows.length === 1 ? '' : 's'} and ${num(graceSec)} s after each ` +
        `(${num(coveredSeconds(windows, graceSec, input.loadEndSec))} s of the run left to chaos.answers and chaos.recovery): `;
  // Outcomes are tallied in the second they happen, sends in the second they left: around a fault window
  // the two differ, so a windowed run counts the outcomes of its seconds (answered or failed) instead.
  const sent = windows.length === 0 ? totalSent(load) : outcomes(load);
  if (sent === 0) return notJudged(name, limit, windows.length === 0 ? 'no requests were sent' : 'no requests were sent outside the fault windows');
  const { fiveXx, noResponse, byKind } = errorCounts(load);
  const rate = (fiveXx + noResponse) / sent;
  const passed = within(rate, limit.op, limit.fraction);
  const kinds = Object.entries(byKind)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${num(n, 0)}`)
    .join(', ');
  const detail = `${num(fiveXx, 0)} answered 5xx, ${num(noResponse, 0)} got no answer${kinds ? ` (${kinds})` : ''}`;
  const sentence =
    fiveXx + noResponse === 0
      ? `None of the ${num(sent, 0)} requests failed: no 5xx answers, none left unanswered.`
      : `${pct(rate)} of ${num(sent, 0)} requests failed: ${detail}${passed ? '' : `, more than the ${pct(limit.fraction)} allowed`}.`;
  return {
    name,
    passed,
    limit: limit.text,
    value: pct(rate),
    message: scope ? scope + sentence.charAt(0).toLowerCase() + sentence.slice(1) : sentence,
  };
}
