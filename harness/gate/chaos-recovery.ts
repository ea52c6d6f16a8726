// chaos.recovery: after each fault is reverted (for a broker restart: once the broker is back, which is
// when the timeline records its fault-end), the service answers 2xx again within the limit.
// Load is tallied per whole second, so a recovery is timed to the end of the first second after the
// revert that holds a 2xx: an upper bound, never flattering by more than that second.
// A fault whose revert never succeeded fails the rule by name; a fault that ended while another one's effect
// was still in force is not blamed for what that other fault did (the failure is the other fault's).

import type { LoadSecond, RuleResult } from '../run-record.ts';
import type { FaultWindow } from './chaos-windows.ts';
import { notJudged } from './ceiling.ts';
import { num } from './format.ts';
import { within, type DurationLimit } from './limits.ts';
import type { GateInput } from './input.ts';

export type Recovery =
  | { window: FaultWindow; kind: 'recovered'; afterSec: number }
  | { window: FaultWindow; kind: 'not-recovered'; watchedSec: number }
  /** Its revert failed every time it was tried: the fault's effect outlived it. */
  | { window: FaultWindow; kind: 'not-reverted'; attempts: number; lastError: string }
  /** Not judged: the fault ended with the load, the load ended too soon after, or no revert was recorded. */
  | { window: FaultWindow; kind: 'not-judged'; why: string };

/** When 2xx answers came back after each window's end. */
export function recoveries(load: readonly LoadSecond[], windows: readonly FaultWindow[], loadEndSec: number, limitSec: number): Recovery[] {
  const sorted = [...load].sort((a, b) => a.t - b.t);
  return windows.map((w) => {
    const r = recoveryOf(sorted, w, loadEndSec, limitSec);
    if (r.kind !== 'not-recovered' && !(r.kind === 'recovered' && r.afterSec > limitSec)) return r;
    const cause = stillInForce(r.window, windows, limitSec);
    if (!cause) return r;
    const until = cause.unended ? (cause.revertFailures ? 'never reverted' : 'not reverted before the load ended') : `until ${num(cause.end)} s`;
    return { window: r.window, kind: 'not-judged', why: `${cause.description} was still in force (${until}); its recovery is judged instead` };
  });
}

/** Another fault whose effect lasted past this one's end, within the time the service had to recover. */
function stillInForce(w: FaultWindow, windows: readonly FaultWindow[], limitSec: number): FaultWindow | undefined {
  return windows.find((v) => v !== w && v.start < w.end + limitSec && v.end > w.end);
}

function recoveryOf(sorted: readonly LoadSecond[], w: FaultWindow, loadEndSec: number, limitSec: number): Recovery {
  if (w.unended && w.revertFailures) return { window: w, kind: 'not-reverted', ...w.revertFailures };
  if (w.unended) return { window: w, kind: 'not-judged', why: 'no revert was recorded' };
  // The timeline reverts whatever is still active when the load stops: nothing is left to recover under.
  if (w.end >= loadEndSec - 0.5) return { window: w, kind: 'not-judged', why: 'it ended with the load' };
  const first = sorted.find((s) => s.t >= Math.floor(w.end) && okAnswers(s) > 0);
  if (first) return { window: w, kind: 'recovered', afterSec: Math.max(0, first.t + 1 - w.end) };
  const watchedSec = loadEndSec - w.end;
  if (watchedSec < limitSec) return { window: w, kind: 'not-judged', why: `the load ended ${num(watchedSec)} s after it, before a recovery could be seen` };
  return { window: w, kind: 'not-recovered', watchedSec };
}

function okAnswers(s: LoadSecond): number {
  let n = 0;
  for (const [code, k] of Object.entries(s.status)) if (code.startsWith('2')) n += k;
  return n;
}

export function chaosRecoveryRule(input: GateInput, windows: readonly FaultWindow[], limit: DurationLimit): RuleResult {
  const name = 'chaos.recovery';
  const limitSec = limit.ms / 1000;
  const all = recoveries(input.load, windows, input.loadEndSec, limitSec);
  const judged = all.filter((r) => r.kind !== 'not-judged');
  const skipped = all.filter((r): r is Extract<Recovery, { kind: 'not-judged' }> => r.kind === 'not-judged');
  const skippedText = skipped.map((r) => `${r.window.description} (${r.why})`).join('; ');
  if (judged.length === 0) {
    return { ...notJudged(name, limit, `no fault was reverted while load was still running: ${skippedText}`), passed: true, judged: false };
  }
  const late = judged.filter((r) => r.kind !== 'recovered' || !within(r.afterSec, limit.op, limitSec));
  const times = judged.filter((r): r is Extract<Recovery, { kind: 'recovered' }> => r.kind === 'recovered').map((r) => r.afterSec);
  const worst = late.some((r) => r.kind !== 'recovered') ? Number.POSITIVE_INFINITY : Math.max(...times);
  const describe = (r: Recovery) =>
    r.kind === 'recovered'
      ? `${r.window.description} at ${num(r.window.end)} s: 2xx after ${num(r.afterSec)} s`
      : r.kind === 'not-recovered'
        ? `${r.window.description} at ${num(r.window.end)} s: no 2xx in the ${num(r.watchedSec)} s after`
        : r.kind === 'not-reverted'
          ? `${r.window.description} from ${num(r.window.start)} s was never reverted (${r.attempts} attempt${r.attempts === 1 ? '' : 's'} failed, the last with: ${r.lastError})`
          : '';
  const passed = late.length === 0;
  const skippedNote = skipped.length > 0 ? ` Not judged: ${skippedText}.` : '';
  return {
    name,
    passed,
    limit: limit.text,
    value: Number.isFinite(worst) ? `${num(worst)} s` : 'never',
    message: passed
      ? `After each of ${judged.length} revert${judged.length === 1 ? '' : 's'} the service answered 2xx again within ${num(worst)} s (limit ${num(limitSec)} s).${skippedNote}`
      : `${late.length} of ${judged.length} faults were not followed by a 2xx within ${num(limitSec)} s of the revert${late.some((r) => r.kind === 'not-reverted') ? ', or never reverted' : ''}: ${late.map(describe).join('; ')}.${skippedNote}`,
  };
}
