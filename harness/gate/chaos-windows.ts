// When faults were active, read from the run record's fault-start / fault-end events. The chaos rules
// judge the seconds inside these windows; errors.rate judges the seconds outside them (plus a grace).

import type { LoadSecond, TimelineEvent } from '../run-record.ts';

export interface FaultWindow {
  description: string;
  /** Seconds since load start: the fault was injected at `start` and reverted (or the broker back) at `end`. */
  start: number;
  end: number;
  /** No fault-end was recorded (injection failed, or the record was cut short): `end` is the load's end. */
  unended?: true;
  /** The scenario's index of the fault, when the timeline recorded it. */
  faultId?: number;
  /** Failed revert attempts and the last one's error: with `unended`, the fault was never reverted. */
  revertFailures?: { attempts: number; lastError: string };
}

/** Default seconds after a revert during which answers still count as the fault's, not the service's. */
export const DEFAULT_GRACE_SEC = 5;

/**
 * Pairs each fault-start with the first later fault-end of the same fault (by faultId when the timeline
 * recorded one, else by description). A start with no end lasts until the load ended.
 */
export function faultWindows(events: readonly TimelineEvent[] | undefined, loadEndSec: number): FaultWindow[] {
  if (!events) return [];
  const sorted = [...events].sort((a, b) => a.t - b.t);
  const windows: FaultWindow[] = [];
  const open: FaultWindow[] = [];
  for (const e of sorted) {
    const same = (w: FaultWindow) => (e.faultId !== undefined && w.faultId !== undefined ? w.faultId === e.faultId : w.description === e.message);
    if (e.kind === 'fault-start') {
      const w: FaultWindow = { description: e.message, start: e.t, end: Number.NaN, ...(e.faultId !== undefined ? { faultId: e.faultId } : {}) };
      windows.push(w);
      open.push(w);
    } else if (e.kind === 'fault-end') {
      const i = open.findIndex(same);
      if (i >= 0) open.splice(i, 1)[0]!.end = e.t;
    } else if (e.kind === 'note' && e.attempt !== undefined && e.error !== undefined && e.faultId !== undefined) {
      // A failed revert attempt of a fault still open.
      const w = open.find(same);
      if (w) w.revertFailures = { attempts: Math.max(e.attempt, w.revertFailures?.attempts ?? 0), lastError: e.error };
    }
  }
  for (const w of open) {
    w.end = Math.max(w.start, loadEndSec);
    w.unended = true;
  }
  return windows;
}

export function hasFaults(events: readonly TimelineEvent[] | undefined): boolean {
  return events?.some((e) => e.kind === 'fault-start') ?? false;
}

/** Whether whole second `t` (covering [t, t+1)) overlaps a window stretched by `graceSec` after its end. */
export function secondDisturbed(t: number, windows: readonly FaultWindow[], graceSec: number): boolean {
  return windows.some((w) => t < w.end + graceSec && t + 1 > w.start);
}

/** The load seconds outside every fault window and its grace: what errors.rate judges on a chaos run. */
export function secondsOutsideFaults(load: readonly LoadSecond[], windows: readonly FaultWindow[], graceSec: number): LoadSecond[] {
  return windows.length === 0 ? [...load] : load.filter((s) => !secondDisturbed(s.t, windows, graceSec));
}

/** The load seconds inside a fault window or its grace. */
export function secondsDuringFaults(load: readonly LoadSecond[], windows: readonly FaultWindow[], graceSec: number): LoadSecond[] {
  return load.filter((s) => secondDisturbed(s.t, windows, graceSec));
}

/** Total wall seconds covered by the windows (with grace), overlaps counted once, clipped to [0, untilSec]. */
export function coveredSeconds(windows: readonly FaultWindow[], graceSec: number, untilSec: number): number {
  const spans = windows
    .map((w) => [Math.max(0, w.start), Math.min(untilSec, w.end + graceSec)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let curA = Number.NaN;
  let curB = Number.NaN;
  for (const [a, b] of spans) {
    if (Number.isNaN(curA) || a > curB) {
      if (!Number.isNaN(curA)) total += curB - curA;
      curA = a;
      curB = b;
    } else curB = Math.max(curB, b);
  }
  if (!Number.isNaN(curA)) total += curB - curA;
  return total;
}
