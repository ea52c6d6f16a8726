// Small statistics shared by the gate rules. Broker counts are integers sampled a few times a second, so
// the rules reason about *held* levels (what stayed for a while) rather than single readings.

export interface Point {
  t: number;
  v: number;
}

/** Linear-interpolated percentile, q in [0, 100]. NaN for an empty list. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = ((sorted.length - 1) * Math.min(100, Math.max(0, q))) / 100;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export interface Regression {
  slope: number;
  intercept: number;
  /** Pearson correlation; 0 when either variable is constant. */
  r: number;
  n: number;
}

/** Ordinary least squares of y on x. */
export function linearRegression(xs: readonly number[], ys: readonly number[]): Regression {
  const n = Math.min(xs.length, ys.length);
  if (n === 0) return { slope: 0, intercept: NaN, r: 0, n };
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i]!;
    my += ys[i]!;
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const r = sxx === 0 || syy === 0 ? 0 : sxy / Math.sqrt(sxx * syy);
  return { slope, intercept: my - slope * mx, r, n };
}

/** Median of the points with from <= t <= to; NaN if there are none. */
export function medianBetween(points: readonly Point[], from: number, to: number): number {
  return median(points.filter((p) => p.t >= from && p.t <= to).map((p) => p.v));
}

/**
 * The level held at each point: the lowest value from that point over the next `holdSec` seconds,
 * always including at least the next point. A one-sample spike therefore never counts as a level.
 * The last point has no successor and yields no level.
 */
export function heldLevels(points: readonly Point[], holdSec: number): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < points.length - 1; i++) {
    let min = points[i]!.v;
    let j = i + 1;
    do {
      min = Math.min(min, points[j]!.v);
      j++;
    } while (j < points.length && points[j]!.t <= points[i]!.t + holdSec);
    out.push({ t: points[i]!.t, v: min });
  }
  return out;
}

/** Highest held level among the points with from <= t <= to (levels computed over all points). */
export function maxHeld(points: readonly Point[], holdSec: number, from = -Infinity, to = Infinity): Point | undefined {
  let best: Point | undefined;
  for (const p of heldLevels(points, holdSec)) {
    if (p.t < from || p.t > to) continue;
    if (!best || p.v > best.v) best = p;
  }
  return best;
}

/**
 * Percentile of a whole run estimated from per-second summaries (count, p50, p90, p99, max): each second
 * is modelled as a piecewise-uniform distribution between its quantiles. Used when the run's own
 * histogram is not at hand; exact at the quantile knots, close in between.
 */
export function percentileFromSummaries(
  seconds: ReadonlyArray<{ n: number; p50: number; p90: number; p99: number; max: number }>,
  q: number,
): number {
  const segments: Array<{ lo: number; hi: number; w: number }> = [];
  for (const s of seconds) {
    if (!(s.n > 0)) continue;
    const knots = [
      [0, 0],
      [0.5, s.p50],
      [0.9, s.p90],
      [0.99, s.p99],
      [1, s.max],
    ] as const;
    for (let k = 1; k < knots.length; k++) {
      const [f0, v0] = knots[k - 1]!;
      const [f1, v1] = knots[k]!;
      // The bottom segment starts at p50 itself: nothing in a summary says how fast the fastest were.
      const lo = k === 1 ? v1 : Math.min(v0, v1);
      segments.push({ lo, hi: Math.max(lo, v1), w: (f1 - f0) * s.n });
    }
  }
  const total = segments.reduce((a, s) => a + s.w, 0);
  if (total === 0) return NaN;
  // Find x with P(X <= x) = q/100 by bisection on the mixture's CDF.
  const target = (Math.min(100, Math.max(0, q)) / 100) * total;
  const cdf = (x: number) =>
    segments.reduce((a, s) => a + (x >= s.hi ? s.w : x <= s.lo ? 0 : (s.w * (x - s.lo)) / (s.hi - s.lo)), 0);
  let lo = Math.min(...segments.map((s) => s.lo));
  let hi = Math.max(...segments.map((s) => s.hi));
  for (let i = 0; i < 60 && hi - lo > 1e-6; i++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) >= target) hi = mid;
    else lo = mid;
  }
  return hi;
}
