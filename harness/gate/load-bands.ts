// Load bands: the load cut into stretches of roughly constant offered rate (a ladder's plateaus, slices of
// a ramp) plus the time after it, each with the level it held. The gate model reads levels per band, and
// whether the level fell back when the load fell (per-request connections do, pools do not).

import type { GateInput } from './input.ts';
import { median, type Point } from './stats.ts';

/** Samples this long after the load still belong to it: what the last requests opened, what closes. */
export const AFTER_LOAD_SEC = 5;
/** Consecutive seconds whose offered rate stays within this share of the band's first are one band. */
const BAND_TOLERANCE = 0.15;
const HIGH = 0.8;
const LOW = 0.5;

/** A stretch of roughly constant offered load (a ladder's plateau, a slice of a ramp), or the time after. */
export interface LoadBand {
  fromSec: number;
  toSec: number;
  /** Mean offered rate; 0 for the band after the load. */
  rps: number;
  /** Requests sent before the band began, and during it. */
  requestsBefore: number;
  requests: number;
  /** Median level in the band after its first hold time; NaN without samples. */
  level: number;
  samples: number;
}

/** The level fell back when the load fell: a high-load band's level against a later low-load band's. */
export interface Fall {
  high: number;
  highRps: number;
  low: number;
  lowRps: number;
  mid?: number;
  drop: number;
  boundBeforePeak: boolean;
}

/** Groups the load's seconds into bands of roughly constant offered rate, plus the band after the load. */
export function loadBands(input: GateInput, points: readonly Point[], holdSec: number): LoadBand[] {
  const seconds = [...input.load].sort((a, b) => a.t - b.t);
  const groups: Array<{ from: number; to: number; rates: number[]; sent: number }> = [];
  for (const s of seconds) {
    const g = groups[groups.length - 1];
    const first = g?.rates[0] ?? 0;
    if (g && Math.abs(s.scheduled - first) <= Math.max(2, BAND_TOLERANCE * first)) {
      g.to = s.t + 1;
      g.rates.push(s.scheduled);
      g.sent += s.sent;
    } else groups.push({ from: s.t, to: s.t + 1, rates: [s.scheduled], sent: s.sent });
  }
  if (groups.length > 0) groups[groups.length - 1]!.to = Math.max(groups[groups.length - 1]!.to, input.loadEndSec);
  const out: LoadBand[] = [];
  let before = 0;
  for (const g of groups) {
    out.push(band(points, g.from, Math.min(g.to, input.loadEndSec), g.rates.reduce((a, r) => a + r, 0) / g.rates.length, before, g.sent, holdSec));
    before += g.sent;
  }
  out.push(band(points, input.loadEndSec, input.loadEndSec + AFTER_LOAD_SEC, 0, before, 0, holdSec));
  return out;
}

function band(points: readonly Point[], fromSec: number, toSec: number, rps: number, requestsBefore: number, requests: number, holdSec: number): LoadBand {
  const inside = points.filter((p) => p.t >= fromSec && p.t < toSec);
  // Skip the first hold time: a level changing right after the load changed belongs to neither band.
  const settled = inside.filter((p) => p.t >= fromSec + holdSec);
  const use = settled.length >= 2 ? settled : inside;
  return { fromSec, toSec, rps, requestsBefore, requests, level: median(use.map((p) => p.v)), samples: inside.length };
}

/**
 * The largest fall of the level from a high-load band to a later low-load band (the band after the load
 * included). Pools keep what they opened; per-request connections close when the load falls.
 * `boundBeforePeak`: a mid-load band already held the high-load level (within the allowance), so what
 * fell is a pool that hit its bound before the peak and shrinks when idle, not a count following load.
 */
export function fallWithLoad(bands: readonly LoadBand[], allowance: number): Fall | undefined {
  const load = bands.filter((b) => Number.isFinite(b.level));
  const peakRps = Math.max(0, ...bands.map((b) => b.rps));
  if (peakRps === 0) return undefined;
  let best: Fall | undefined;
  let lastHigh: LoadBand | undefined;
  for (const b of load) {
    if (b.rps >= HIGH * peakRps) lastHigh = b;
    else if (b.rps <= LOW * peakRps && lastHigh && (!best || lastHigh.level - b.level > best.drop)) {
      const mids = load.filter((m) => m.toSec <= lastHigh!.toSec && m.rps > LOW * peakRps && m.rps < HIGH * peakRps).map((m) => m.level);
      const mid = mids.length > 0 ? Math.max(...mids) : undefined;
      best = { high: lastHigh.level, highRps: lastHigh.rps, low: b.level, lowRps: b.rps, drop: lastHigh.level - b.level, boundBeforePeak: mid !== undefined && mid >= lastHigh.level - allowance };
      if (mid !== undefined) best.mid = mid;
    }
  }
  return best;
}
