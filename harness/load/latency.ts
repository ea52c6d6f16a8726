// Latency histograms in microseconds (loopback answers in well under a millisecond), reported in
// milliseconds. Values are recorded against the intended send time, so a driver or server that falls
// behind shows up as latency instead of vanishing (coordinated-omission correction).
import * as hdr from 'hdr-histogram-js';
import type { LatencySummary } from '../run-record.ts';

export type LatencyHistogram = hdr.Histogram;

const ONE_HOUR_US = 3_600_000_000;

export function createLatencyHistogram(): LatencyHistogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: ONE_HOUR_US, numberOfSignificantValueDigits: 3 });
}

export function recordLatencyMs(histogram: LatencyHistogram, ms: number): void {
  histogram.recordValue(Math.min(ONE_HOUR_US, Math.max(1, Math.round(ms * 1000))));
}

const ms = (us: number): number => Math.round(us) / 1000;

export function summarizeLatency(histogram: LatencyHistogram): LatencySummary {
  if (histogram.totalCount === 0) return { p50: 0, p90: 0, p99: 0, max: 0 };
  return {
    p50: ms(histogram.getValueAtPercentile(50)),
    p90: ms(histogram.getValueAtPercentile(90)),
    p99: ms(histogram.getValueAtPercentile(99)),
    max: ms(histogram.maxValue),
  };
}

export function summarizeLatencyWithMean(histogram: LatencyHistogram): LatencySummary & { mean: number } {
  return { ...summarizeLatency(histogram), mean: histogram.totalCount === 0 ? 0 : ms(histogram.mean) };
}
