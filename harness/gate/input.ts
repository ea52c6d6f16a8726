// What the gate reads, and the views of it the rules share. Pure functions over plain run-record data,
// so a saved results.json can be re-gated without a broker.

import type { BrokerSample, LoadSecond, RunRecord, TimelineEvent } from '../run-record.ts';
import type { Resource } from './limits.ts';
import { median, type Point } from './stats.ts';

export interface GateInput {
  load: LoadSecond[];
  broker: BrokerSample[];
  units: number;
  phases: RunRecord['scenario']['phases'];
  /** Seconds since load start when the load stopped (end of schedule, or the abort). */
  loadEndSec: number;
  /** Idle counts before load; when absent, derived from the samples with t < 0. */
  baseline?: { connections: number; channels: number };
  /** Whole-run latency from the driver's histogram; when absent, estimated from the per-second summaries. */
  latency?: { p99: number };
  /** The broker's connection_max when the harness set one: a level at the cap is the broker's bound. */
  connectionMax?: number;
  /** Copied into the verdict when the run was stopped early. */
  aborted?: { t: number; rule: string; reason: string };
  /** The run's timeline; its fault-start/fault-end events switch on the chaos rules (chaos-windows.ts). */
  events?: TimelineEvent[];
  /** Stretches with no broker samples (from the run's sampling record); when absent, found from the samples. */
  gaps?: Array<{ from: number; to: number }>;
  /** Set when more than one broker node was sampled (the samples carry each node's counts): per-node rules. */
  nodes?: Array<{ node: string; connectionMax?: number }>;
  /** Where `units` came from (the broker's attribution, or the declared --units), for the sentences. */
  unitsSource?: string;
}

export interface Baseline {
  connections: number;
  channels: number;
  /** Where the numbers came from, for the sentence that explains a rule. */
  source: 'given' | 'pre-load samples' | 'first sample' | 'none';
}

/**
 * The idle baseline: given, else the median of the samples taken before load (t < 0), else the first
 * sample. A median, so a probe connection that came and went during the baseline does not shift it.
 */
export function baselineOf(input: Pick<GateInput, 'baseline' | 'broker'>): Baseline {
  if (input.baseline) return { ...input.baseline, source: 'given' };
  const before = input.broker.filter((s) => s.t < 0);
  if (before.length > 0) {
    return {
      connections: median(before.map((s) => s.connections)),
      channels: median(before.map((s) => s.channels)),
      source: 'pre-load samples',
    };
  }
  const first = input.broker[0];
  if (first) return { connections: first.connections, channels: first.channels, source: 'first sample' };
  return { connections: 0, channels: 0, source: 'none' };
}

export function countSeries(broker: readonly BrokerSample[], resource: Resource): Point[] {
  return broker.map((s) => ({ t: s.t, v: resource === 'connections' ? s.connections : s.channels }));
}

export function openedSeries(broker: readonly BrokerSample[], resource: Resource): Point[] {
  return broker.map((s) => ({ t: s.t, v: resource === 'connections' ? s.connectionsOpened : s.channelsOpened }));
}

interface LoadIndex {
  byT: Map<number, LoadSecond>;
  /** Seconds sorted by t, and prefix[i] = requests sent in sorted[0..i). */
  sorted: LoadSecond[];
  prefix: number[];
}
// Rules ask these per broker sample; an hour-long soak has ~14,000 samples and 3,600 seconds.
const indexes = new WeakMap<readonly LoadSecond[], LoadIndex>();

function indexOf(load: readonly LoadSecond[]): LoadIndex {
  let idx = indexes.get(load);
  if (!idx) {
    const sorted = [...load].sort((a, b) => a.t - b.t);
    const prefix = [0];
    for (const s of sorted) prefix.push(prefix[prefix.length - 1]! + s.sent);
    idx = { byT: new Map(sorted.map((s) => [s.t, s])), sorted, prefix };
    indexes.set(load, idx);
  }
  return idx;
}

/** Offered load (scheduled arrivals) in the second that contains t; 0 outside the load. */
export function offeredAt(load: readonly LoadSecond[], t: number, loadEndSec: number): number {
  if (t < 0 || t >= loadEndSec) return 0;
  return indexOf(load).byT.get(Math.floor(t))?.scheduled ?? 0;
}

/** Requests sent from load start up to time t (linear within a second). */
export function cumulativeSentAt(load: readonly LoadSecond[], t: number): number {
  const { sorted, prefix } = indexOf(load);
  // Count the seconds that ended by t (s.t + 1 <= t).
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]!.t + 1 <= t) lo = mid + 1;
    else hi = mid;
  }
  let total = prefix[lo]!;
  const partial = sorted[lo];
  if (partial && partial.t < t) total += partial.sent * (t - partial.t);
  return total;
}

/** The first time the cumulative requests reach `share` of all requests sent. */
export function timeAtRequestShare(load: readonly LoadSecond[], share: number): number {
  const total = totalSent(load);
  if (total === 0) return 0;
  const target = total * share;
  let acc = 0;
  for (const s of [...load].sort((a, b) => a.t - b.t)) {
    if (s.sent > 0 && acc + s.sent >= target) return s.t + (target - acc) / s.sent;
    acc += s.sent;
  }
  return load.length > 0 ? Math.max(...load.map((s) => s.t + 1)) : 0;
}

export function totalSent(load: readonly LoadSecond[]): number {
  return load.reduce((a, s) => a + s.sent, 0);
}

/** Value of a cumulative counter series at time t: the last sample at or before t (else the first). */
export function counterAt(points: readonly Point[], t: number): number | undefined {
  let v: number | undefined;
  for (const p of points) {
    if (p.t <= t) v = p.v;
    else break;
  }
  return v ?? points[0]?.v;
}

/** Capitalised resource name for the start of a sentence. */
export function Title(resource: Resource): string {
  return resource === 'connections' ? 'Connections' : 'Channels';
}
