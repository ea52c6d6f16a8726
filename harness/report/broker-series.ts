// Broker samples arrive at ~4 Hz on their own clock; reports need them per load second and per phase.
import type { BrokerSample, RunRecord } from '../run-record.ts';

// Only the always-present counters; optional fields (fds, sockets) are not per-second series here.
type NumericKey = { [K in keyof BrokerSample]-?: BrokerSample[K] extends number ? K : never }[keyof BrokerSample];

/** The last sample taken at or before `t` (samples are in time order), or undefined before the first. */
export function sampleAt(samples: BrokerSample[], t: number): BrokerSample | undefined {
  let lo = 0;
  let hi = samples.length - 1;
  let found: BrokerSample | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = samples[mid]!;
    if (s.t <= t) {
      found = s;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** Increase of a cumulative counter over each load second, from the samples at the second's edges. */
export function perSecondDelta(record: RunRecord, key: NumericKey): Array<number | null> {
  const samples = sortedSamples(record);
  return record.load.map((sec) => {
    const start = sampleAt(samples, sec.t);
    const end = sampleAt(samples, sec.t + 1);
    if (!start || !end) return null;
    // Counters never go down; a drop means the broker restarted (a chaos fault) and the window is unknown.
    const delta = end[key] - start[key];
    return delta >= 0 ? delta : null;
  });
}

export function sortedSamples(record: RunRecord): BrokerSample[] {
  const samples = record.broker;
  for (let i = 1; i < samples.length; i++) {
    if (samples[i]!.t < samples[i - 1]!.t) return [...samples].sort((a, b) => a.t - b.t);
  }
  return samples;
}
