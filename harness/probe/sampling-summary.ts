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
  /** Scrapes that failed, or answered only after more than 2 intervals: sent at t, took ms. */
  troubles: ReadonlyArray<{ t: number; ms: number; why: string }>;
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

/** The scrapes that were under way during the gap; a sample's t is mid-scrape, so a slow one overlaps both sides. */
function reasonFor(h: SamplingHistory, from: number, to: number): string {
  const during = h.troubles.filter((x) => x.t < to && x.t + x.ms / 1000 > from);
  if (during.length === 0) return 'no scrape was taken: the sampler itself was held up';
  const distinct = [...new Set(during.map((x) => x.why))];
  return during.length === 1 ? distinct[0]! : `${during.length} scrapes failed or were slow, e.g. ${distinct[0]}${distinct.length > 1 ? `; ${distinct[1]}` : ''}`;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
