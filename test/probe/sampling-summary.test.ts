import { describe, expect, it } from 'vitest';
import { summariseSampling } from '../../harness/probe/sampling-summary.ts';

const every = (from: number, to: number, step: number) => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

describe('summariseSampling', () => {
  it('finds no gap in a steady 4 Hz timeline and counts samples against due', () => {
    const s = summariseSampling({ intervalMs: 250, from: -3, to: 10, sampleTimes: every(-3, 10, 0.25), troubles: [] });
    expect(s).toEqual({ intervalMs: 250, samples: 53, expected: 52, gaps: [] });
  });

  it('records a hole longer than 2 intervals, with the failed scrapes as its reason', () => {
    const times = [...every(-3, 2, 0.25), ...every(10.25, 20, 0.25)];
    const troubles = [2.25, 4.25, 6.25, 8.25].map((t) => ({ t, ms: 2000, why: 'scrape of http://x/metrics failed: no answer within 2000 ms' }));
    const s = summariseSampling({ intervalMs: 250, from: -3, to: 20, sampleTimes: times, troubles });
    expect(s.gaps).toEqual([{ from: 2, to: 10.25, seconds: 8.25, reason: '4 scrapes failed or were slow, e.g. scrape of http://x/metrics failed: no answer within 2000 ms' }]);
    expect(s.expected).toBe(92);
    expect(s.samples).toBe(times.length);
  });

  it('tells a slow answer and a held-up sampler apart, and leaves holes of 2 intervals alone', () => {
    const times = [0, 0.5, 1, 4, 4.25, 8];
    // The slow scrape's sample is stamped mid-scrape (2.55 s): the gap before it is explained by the same scrape.
    const slow = { t: 1.1, ms: 2900, why: 'the broker took 2.9 s to answer a scrape' };
    const s = summariseSampling({ intervalMs: 250, from: 0, to: 8, sampleTimes: times, troubles: [slow] });
    expect(s.gaps.map((g) => [g.from, g.to, g.reason])).toEqual([
      [1, 4, 'the broker took 2.9 s to answer a scrape'],
      [4.25, 8, 'no scrape was taken: the sampler itself was held up'],
    ]);
  });

  it('counts a silent start or end as a gap too', () => {
    const s = summariseSampling({ intervalMs: 250, from: 0, to: 5, sampleTimes: [2, 2.25, 2.5], troubles: [] });
    expect(s.gaps.map((g) => [g.from, g.to])).toEqual([[0, 2], [2.5, 5]]);
  });
});
