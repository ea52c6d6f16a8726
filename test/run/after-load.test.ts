import { describe, expect, it } from 'vitest';
import type { BrokerSample } from '../../harness/run-record.ts';
import { ABORT_SETTLE_SEC, afterLoad, sampleUntilSeen, seenAfterLoad } from '../../harness/run/after-load.ts';

describe('afterLoad', () => {
  it('keeps the whole cool-down when the load ran its course', () => {
    expect(afterLoad(false, 5)).toEqual({ sampleSec: 5, drain: { quietMs: 1_000, timeoutMs: 5_000 }, workerStatusTimeoutMs: 3_000 });
    expect(afterLoad(false, 30).drain.timeoutMs).toBe(30_000);
  });

  it('settles briefly after an abort, and never longer than the cool-down asked for', () => {
    const aborted = afterLoad(true, 5);
    expect(aborted.sampleSec).toBe(ABORT_SETTLE_SEC);
    expect(aborted.drain.timeoutMs).toBeLessThanOrEqual(1_000);
    expect(aborted.workerStatusTimeoutMs).toBeLessThan(afterLoad(false, 5).workerStatusTimeoutMs);
    expect(afterLoad(true, 0).sampleSec).toBe(0);
  });
});

// The CI run that failed a healthy pool: the load ended at 10.1 s, scrapes took about a second each, and
// the gate called the residue window (10.1-12.2 s) mostly unseen.
const gap = (from: number, to: number) => ({ from, to, seconds: to - from, reason: 'the broker took 1.0 s to answer a scrape' });
const SLOW = { gaps: [gap(9.6, 10.7), gap(10.7, 11.7)] };
const at = (times: number[]) => times.map((t) => ({ t })) as unknown as BrokerSample[];

describe('seenAfterLoad', () => {
  it('is false with no sample after the load, or with the window mostly gaps by the gate measure', () => {
    expect(seenAfterLoad({ gaps: [] }, undefined, 10.1)).toBe(false);
    expect(seenAfterLoad({ gaps: [] }, 10, 10.1)).toBe(false);
    expect(seenAfterLoad(SLOW, 12.2, 10.1)).toBe(false);
    // Sampling on at 4 Hz: 1.6 s of gaps in a 3.1 s window is still more than half; in 3.35 s it is not.
    expect(seenAfterLoad(SLOW, 13.2, 10.1)).toBe(false);
    expect(seenAfterLoad(SLOW, 13.45, 10.1)).toBe(true);
  });

  it('is true for a cool-down sampled at the usual rate; gaps under a second are not counted', () => {
    expect(seenAfterLoad({ gaps: [] }, 12, 10)).toBe(true);
    expect(seenAfterLoad({ gaps: [gap(10.2, 11)] }, 11.25, 10)).toBe(true);
  });
});

/** A sampler whose scrapes answer every `everyMs`, each at t = last + stepSec; the gaps are SLOW's. */
function fakeSampler(times: number[], everyMs: number, stepSec: number) {
  const samples = at(times);
  const timer = setInterval(() => samples.push(...at([samples.at(-1)!.t + stepSec])), everyMs);
  return {
    stop: () => clearInterval(timer),
    sampler: {
      samples: () => samples,
      sampling: () => ({ ...SLOW, intervalMs: 250, samples: samples.length, expected: samples.length }),
      sampleAfter: async (t: number, ms: number) => {
        const until = Date.now() + ms;
        while (Date.now() < until) {
          if (samples.some((s) => s.t > t)) return true;
          await new Promise((r) => setTimeout(r, 10));
        }
        return false;
      },
    },
  };
}

describe('sampleUntilSeen', () => {
  it('samples on until the window since the load is seen, and says once that it waits', async () => {
    const fake = fakeSampler([9.6, 10.7, 11.7, 12.2], 20, 0.25);
    const lines: string[] = [];
    try {
      await sampleUntilSeen(fake.sampler, 10.1, (l) => lines.push(l), 2_000);
    } finally {
      fake.stop();
    }
    expect(seenAfterLoad(SLOW, fake.sampler.samples().at(-1)?.t, 10.1)).toBe(true);
    expect(lines).toEqual([expect.stringMatching(/mostly unseen since the load ended.*up to 2 s more/)]);
  });

  it('gives up after its limit when nothing comes, and says the residue rules will say why', async () => {
    const fake = fakeSampler([9.6, 10.7, 11.7, 12.2], 60_000, 0.25);
    const lines: string[] = [];
    const started = Date.now();
    try {
      await sampleUntilSeen(fake.sampler, 10.1, (l) => lines.push(l), 300);
    } finally {
      fake.stop();
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(lines[1]).toMatch(/stayed mostly unseen 0.3 s longer; the residue rules say what they could not read/);
  });

  it('returns at once when the cool-down was seen', async () => {
    const lines: string[] = [];
    await sampleUntilSeen({ samples: () => at([10.5]), sampling: () => ({ gaps: [], intervalMs: 250, samples: 1, expected: 1 }), sampleAfter: async () => false }, 10, (l) => lines.push(l));
    expect(lines).toEqual([]);
  });
});
