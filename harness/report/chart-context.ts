// What every chart of one run shares: its time range and axis, load buckets, and the bands and lines
// drawn over it (incident peaks, faults, aborts, sampling gaps).
import type { Plugin } from 'chart.js';
import type { RunRecord } from '../run-record.ts';
import { annotationsPlugin, samplingGapBands, type HLine } from './chart-annotations.ts';
import { abortLines, incidentBands, timeAxis, xRange, type XRange } from './chart-common.ts';
import { bucketSize, loadBuckets, type LoadBucket } from './chart-data.ts';
import { clockAt, wallClockAt } from './run-view.ts';

// Declared, not inferred: the package's .d.ts files cannot name chart.js's internal types.
export interface ChartContext {
  range: XRange;
  name: string;
  size: number;
  buckets: LoadBucket[];
  mid(b: LoadBucket): number;
  bucketNote: string;
  x: ReturnType<typeof timeAxis>;
  plugins(hlines?: HLine[]): Plugin[];
  brokerPlugins(hlines?: HLine[]): Plugin[];
  gapNote: string;
}

export function chartContext(record: RunRecord, label?: string): ChartContext {
  const range = xRange(record);
  const size = bucketSize(record.load.length);
  const buckets = loadBuckets(record.load, size);
  const name = label ?? `${record.target.publisher ?? record.target.kind} · ${record.scenario.name}`;
  return {
    range,
    name,
    size,
    buckets,
    /** Bars and per-second points sit in the middle of their bucket. */
    mid: (b: LoadBucket) => b.t + size / 2,
    /** Said in subtitles when seconds were grouped, so nobody reads a bar as one second. */
    bucketNote: size > 1 ? ` · ${size}-s buckets, per-second averages` : '',
    x: timeAxis(range, (t) => clockAt(record, t), record.scenario.wallDurationSec, wallClockAt(record)),
    plugins: (hlines: HLine[] = []) => [annotationsPlugin({ bands: incidentBands(record, range), hlines, vlines: abortLines(record) })],
    /** Charts drawn from broker samples also shade where there were none. */
    brokerPlugins: (hlines: HLine[] = []) => [
      annotationsPlugin({ bands: [...incidentBands(record, range), ...samplingGapBands(record.sampling?.gaps)].sort((a, b) => a.from - b.from), hlines, vlines: abortLines(record) }),
    ],
    gapNote: record.sampling?.gaps.length ? ` · grey: no broker samples` : '',
  };
}
