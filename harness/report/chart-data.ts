// Long runs have thousands of samples; a 1,200-pixel chart cannot show more than a few hundred bars or
// points, and Chart.js slows down drawing them all. Charts of long runs group seconds into buckets
// (values stay "per second": averages, or the worst second for latency) and thin the broker samples
// to the minimum and maximum of each slot, so spikes survive.
import type { BrokerSample, LoadSecond } from '../run-record.ts';

export const MAX_BARS = 150;
export const MAX_POINTS = 500;

export interface LoadBucket {
  /** Wall second the bucket starts at. */
  t: number;
  seconds: LoadSecond[];
}

/** Seconds per bucket: 1 up to MAX_BARS seconds of load, then as few as keep the bars under it. */
export function bucketSize(seconds: number): number {
  return seconds <= MAX_BARS ? 1 : Math.ceil(seconds / MAX_BARS);
}

export function loadBuckets(load: LoadSecond[], size = bucketSize(load.length)): LoadBucket[] {
  const buckets: LoadBucket[] = [];
  for (let i = 0; i < load.length; i += size) {
    const seconds = load.slice(i, i + size);
    buckets.push({ t: seconds[0]!.t, seconds });
  }
  return buckets;
}

/** Average per second over the bucket, so the axis keeps its "per second" unit whatever the size. */
export function perSecond(bucket: LoadBucket, pick: (s: LoadSecond) => number): number {
  let sum = 0;
  for (const s of bucket.seconds) sum += pick(s);
  return sum / bucket.seconds.length;
}

/** The same, for a series already computed per load second (index-aligned with record.load). */
export function bucketSeries(values: Array<number | null>, size: number): Array<number | null> {
  const out: Array<number | null> = [];
  for (let i = 0; i < values.length; i += size) {
    const slice = values.slice(i, i + size).filter((v): v is number => v !== null);
    out.push(slice.length === 0 ? null : slice.reduce((a, b) => a + b, 0) / slice.length);
  }
  return out;
}

/** Keeps each slot's lowest and highest sample (in time order), so a spike or a dip is never thinned away. */
export function thinSamples(samples: BrokerSample[], key: 'connections' | 'channels', maxPoints = MAX_POINTS): Array<{ x: number; y: number }> {
  if (samples.length <= maxPoints) return samples.map((s) => ({ x: s.t, y: s[key] }));
  const slots = Math.floor(maxPoints / 2);
  const per = samples.length / slots;
  const out: Array<{ x: number; y: number }> = [];
  for (let k = 0; k < slots; k++) {
    const slot = samples.slice(Math.floor(k * per), Math.floor((k + 1) * per));
    if (slot.length === 0) continue;
    let lo = slot[0]!;
    let hi = slot[0]!;
    for (const s of slot) {
      if (s[key] < lo[key]) lo = s;
      if (s[key] > hi[key]) hi = s;
    }
    const pair = lo.t <= hi.t ? [lo, hi] : [hi, lo];
    for (const s of pair) if (out.length === 0 || out[out.length - 1]!.x !== s.t) out.push({ x: s.t, y: s[key] });
  }
  const last = samples[samples.length - 1]!;
  if (out[out.length - 1]!.x !== last.t) out.push({ x: last.t, y: last[key] });
  return out;
}
