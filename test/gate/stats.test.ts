import { describe, expect, it } from 'vitest';
import { heldLevels, linearRegression, maxHeld, median, medianBetween, percentile, percentileFromSummaries } from '../../harness/gate/stats.ts';
import { rng } from './timeline.ts';

describe('stats', () => {
  it('percentile interpolates like numpy', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([10, 20, 30, 40, 50], 90)).toBe(46);
    expect(percentile([5], 99)).toBe(5);
    expect(Number.isNaN(percentile([], 50))).toBe(true);
    expect(median([3, 1, 2])).toBe(2);
  });

  it('linearRegression recovers slope, intercept and correlation', () => {
    const xs = [0, 1, 2, 3, 4];
    const fit = linearRegression(xs, xs.map((x) => 3 * x + 2));
    expect(fit.slope).toBeCloseTo(3);
    expect(fit.intercept).toBeCloseTo(2);
    expect(fit.r).toBeCloseTo(1);
    expect(linearRegression(xs, [1, 1, 1, 1, 1]).r).toBe(0);
    expect(linearRegression([], []).n).toBe(0);
  });

  it('held levels ignore a one-sample spike but keep a level that lasts', () => {
    const pts = [0, 1, 9, 1, 1, 5, 5, 5, 5, 5, 1].map((v, i) => ({ t: i * 0.25, v }));
    expect(maxHeld(pts, 0.25)!.v).toBe(5);
    expect(heldLevels(pts, 0.25).some((p) => p.v === 9)).toBe(false);
    expect(maxHeld(pts, 2)!.v).toBe(1);
    expect(medianBetween(pts, 1.25, 2.25)).toBe(5);
  });

  it('percentileFromSummaries matches the exact p99 of a two-speed run within 10%', () => {
    const r = rng(4);
    const seconds: Array<{ n: number; p50: number; p90: number; p99: number; max: number }> = [];
    const all: number[] = [];
    for (let s = 0; s < 60; s++) {
      const slow = s >= 50; // last 10 s are 20x slower
      const values = Array.from({ length: 100 }, () => (slow ? 200 : 10) * (0.5 + r()));
      all.push(...values);
      seconds.push({ n: values.length, p50: percentile(values, 50), p90: percentile(values, 90), p99: percentile(values, 99), max: Math.max(...values) });
    }
    const exact = percentile(all, 99);
    expect(Math.abs(percentileFromSummaries(seconds, 99) - exact) / exact).toBeLessThan(0.1);
    expect(Math.abs(percentileFromSummaries(seconds, 50) - percentile(all, 50)) / percentile(all, 50)).toBeLessThan(0.15);
  });
});
