// errors.rate: requests that failed the service's clients, over requests sent: answers the scenario did
// not expect (any 5xx, and any 4xx it did not declare refused by design, such as 409 for a duplicate)
// and requests with no answer at all (timeout, reset, refused). A saturated service that answers 400
// or 429 fails its clients as much as one that answers 503; a test whose calls were all refused tested
// nothing (the validity check in harness/run/validity.ts says so before any verdict).
// On a run with faults, only the seconds outside the fault windows (and a grace after each revert) are
// judged here: 503s while the broker is in alarm are the fix working, and chaos.answers judges those.

import type { LoadSecond, RuleResult } from '../run-record.ts';
import { coveredSeconds, DEFAULT_GRACE_SEC, faultWindows, secondsOutsideFaults } from './chaos-windows.ts';
import { notJudged } from './ceiling.ts';
import { num, pct } from './format.ts';
import { totalSent, type GateInput } from './input.ts';
import { within, type ShareLimit } from './limits.ts';

export interface ErrorCounts {
  /** Answers that failed (unexpected 4xx, 5xx), and of them 4xx and 5xx. */
  failed: number;
  fourXx: number;
  fiveXx: number;
  /** Answers refused by design (expected statuses), not failures. */
  refused: number;
  noResponse: number;
  byKind: Record<string, number>;
  byStatus: Record<string, number>;
}

/** A second's failed answers by status: as the call tally classified them, or (older records) every non-2xx. */
function failedStatusOf(s: LoadSecond): Record<string, number> {
  if (s.failedStatus) return s.failedStatus;
  return Object.fromEntries(Object.entries(s.status).filter(([code]) => !code.startsWith('2')));
}

export function errorCounts(load: GateInput['load']): ErrorCounts {
  const out: ErrorCounts = { failed: 0, fourXx: 0, fiveXx: 0, refused: 0, noResponse: 0, byKind: {}, byStatus: {} };
  for (const s of load) {
    for (const [code, n] of Object.entries(failedStatusOf(s))) {
      out.failed += n;
      if (code.startsWith('4')) out.fourXx += n;
      else if (code.startsWith('5')) out.fiveXx += n;
      out.byStatus[code] = (out.byStatus[code] ?? 0) + n;
    }
    out.refused += s.classes?.refused ?? 0;
    for (const [kind, n] of Object.entries(s.errors)) {
      out.noResponse += n;
      out.byKind[kind] = (out.byKind[kind] ?? 0) + n;
    }
  }
  return out;
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
  const c = errorCounts(load);
  const failed = c.failed + c.noResponse;
  const rate = failed / sent;
  const passed = within(rate, limit.op, limit.fraction);
  const list = (m: Record<string, number>) =>
    Object.entries(m)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${num(n, 0)}`)
      .join(', ');
  const answered: string[] = [];
  if (c.fourXx > 0) answered.push(`${num(c.fourXx, 0)} answered an unexpected 4xx`);
  if (c.fiveXx > 0) answered.push(`${num(c.fiveXx, 0)} answered 5xx`);
  if (c.failed - c.fourXx - c.fiveXx > 0) answered.push(`${num(c.failed - c.fourXx - c.fiveXx, 0)} answered another unexpected status`);
  const parts = answered.length > 0 ? [`${answered.join(', ')} (${list(c.byStatus)})`] : [];
  if (c.noResponse > 0) parts.push(`${num(c.noResponse, 0)} got no answer (${list(c.byKind)})`);
  const detail = parts.join(', ');
  const refused = c.refused > 0 ? ` ${num(c.refused, 0)} refused by design (statuses the scenario expects) did not count.` : '';
  const sentence =
    failed === 0
      ? `None of the ${num(sent, 0)} requests failed: no 5xx or unexpected 4xx answers, none left unanswered.${refused}`
      : `${pct(rate)} of ${num(sent, 0)} requests failed: ${detail}${passed ? '' : `, more than the ${pct(limit.fraction)} allowed`}.${refused}`;
  return {
    name,
    passed,
    limit: limit.text,
    value: pct(rate),
    message: scope ? scope + sentence.charAt(0).toLowerCase() + sentence.slice(1) : sentence,
  };
}
