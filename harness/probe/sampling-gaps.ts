// Where the broker timeline has holes: any stretch longer than 2 intervals without a sample, with the
// reason when one is known (failed scrapes, a slow answer). Pure, so it can be tested on made-up times.
import type { RunRecord } from '../run-record.ts';

export type SamplingRecord = NonNullable<RunRecord['sampling']>;
export type SamplingGap = SamplingRecord['gaps'][number];

/** A gap is a stretch with no sample longer than this many intervals. */
export const GAP_INTERVALS = 2;

export interface SamplingHistory {
  intervalMs: number;
  /** When sampling started and ended, seconds since load start. */
  from: number;
  to: number;
  sampleTimes: readonly number[];
  failures: ReadonlyArray<{ t: number; error: string }>;
  /** Scrapes that answered, but only after more than 2 intervals. */
  slow: ReadonlyArray<{ t: number; ms: number }>;
}

export function summariseSampling(h: SamplingHistory): SamplingRecord {
  const inside = h.sampleTimes.filter((t) => t >= h.from && t <= h.to).sort((a, b) => a - b);
  const edges = [h.from, ...inside, h.to];
  const longest = (GAP_INTERVALS * h.intervalMs) / 1000;
  const gaps: SamplingGap[] = [];
  for (let i = 1; i < edges.length; i++) {
    const from = edges[i - 1]!;
    const to = edges[i]!;
    if (to - from <= longest) continue;
    gaps.push({ from: round3(from), to: round3(to), seconds: round3(to - from), reason: reasonFor(h, from, to) });
  }
  return {
    intervalMs: h.intervalMs,
    samples: inside.length,
    expected: Math.max(1, Math.round(((h.to - h.from) * 1000) / h.intervalMs)),
    gaps,
  };
}

function reasonFor(h: SamplingHistory, from: number, to: number): string {
  const failed = h.failures.filter((f) => f.t >= from && f.t < to);
  if (failed.length > 0) {
    const first = failed[0]!.error;
    return failed.length === 1 ? first : `${failed.length} scrapes failed, e.g. ${first}`;
  }
  const slow = h.slow.filter((s) => s.t >= from && s.t < to);
  if (slow.length > 0) return `the broker took ${(Math.max(...slow.map((s) => s.ms)) / 1000).toFixed(1)} s to answer a scrape`;
  return 'no scrape was taken: the sampler itself was held up';
}

/** Total seconds of the gaps that overlap [from, to]. */
export function gapSecondsWithin(gaps: ReadonlyArray<{ from: number; to: number }>, from: number, to: number): number {
  return gaps.reduce((sum, g) => sum + Math.max(0, Math.min(g.to, to) - Math.max(g.from, from)), 0);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
