// Samples RabbitMQ's Prometheus endpoint several times a second (4 Hz by default) from a worker thread,
// so the load driver's event loop cannot starve it: each sample carries the time the worker took it.
// The endpoint reflects a change within ~15 ms and a scrape costs ~15 ms even at 1,000 connections
// (DESIGN.md), unlike /api/overview which lags seconds. A failed scrape is recorded and the sampling
// goes on: an unreachable broker is a finding, not a crash. Holes longer than 2 intervals become the
// run record's `sampling.gaps` (sampling-summary.ts).

import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { BrokerSample } from '../run-record.ts';
import { redactText, redactUrl } from '../redact.ts';
import { parseBrokerMetrics, type BrokerCounts } from './broker-metrics.ts';
import { SCRAPE_WORKER_SOURCE, type ScrapeCommand, type ScrapeMessage, type ScrapeResult, type ScrapeWorkerData } from './broker-scrape-worker.ts';
import { nodeTotals, type NodeReading } from './node-totals.ts';
import { httpTarget } from './http-target.ts';
import { zeroOf } from './run-clock.ts';
import { summariseSampling, type SamplingRecord } from './sampling-summary.ts';

export { parseBrokerMetrics, type BrokerCounts } from './broker-metrics.ts';

export interface BrokerSamplerOptions {
  /** Base URL of the Prometheus endpoint, e.g. http://127.0.0.1:15692 (`/metrics` is appended). */
  prometheusUrl: string;
  /**
   * Every node of a cluster with its own endpoint, all scraped in the same tick; the samples are their sum
   * (node-totals.ts) with each node's counts in `nodes`. With fewer than two, `prometheusUrl` alone is sampled.
   */
  nodes?: ReadonlyArray<{ name: string; prometheusUrl: string }>;
  /** The node the harness's own connections are on (default: the first). */
  harnessNode?: string;
  /** Default 250 ms (4 Hz). */
  intervalMs?: number;
  /**
   * The harness's own broker usage (probes, verification tap), excluded from the counts; its opened/closed
   * counters as of `asOfMs` (wall-clock ms, run-clock.ts's wallMs), when the scrape was sent.
   */
  harnessUsage?: (asOfMs: number) => HarnessUsage;
  /** Seconds since load start; negative while the baseline is taken. A RunClock (run-clock.ts) is read in the worker as is; any other clock by its zero. */
  clock: () => number;
  /** Per-scrape timeout; default max(2 s, 4 intervals). Scrapes never overlap, so a slow one only lowers the rate. */
  timeoutMs?: number;
}

/** What the harness holds on the broker, and the channels it opened and closed itself (cumulative). */
export interface HarnessUsage {
  connections: number;
  channels: number;
  channelsOpened?: number;
  channelsClosed?: number;
}

/** A scrape that failed: the timeline has a hole here. */
export interface ScrapeGap {
  t: number;
  error: string;
}

export interface BrokerSampler {
  samples(): BrokerSample[];
  latest(): BrokerSample | undefined;
  gaps(): ScrapeGap[];
  /** Samples taken against samples due so far, and every hole longer than 2 intervals (per node too, on a cluster). */
  sampling(): SamplingRecord;
  on(event: 'sample', fn: (s: BrokerSample) => void): this;
  on(event: 'gap', fn: (g: ScrapeGap) => void): this;
  off(event: 'sample' | 'gap', fn: (...args: any[]) => void): this;
  /**
   * Samples for `ms` once sampling has started and returns the median connections and channels of that
   * window. Throws a BrokerUnreachableError when no scrape succeeded in it.
   */
  measureBaseline(ms: number): Promise<{ connections: number; channels: number }>;
  /** Resolves true once a sample taken after `t` is in, false if none came within `timeoutMs`. */
  sampleAfter(t: number, timeoutMs: number): Promise<boolean>;
  /** Stops sampling; resolves once an in-flight scrape has settled and its sample is in. Idempotent. */
  stop(): Promise<void>;
}

export class BrokerUnreachableError extends Error {
  override name = 'BrokerUnreachableError';
}

/** Median connections/channels of the samples taken before load start (t < 0), if any. */
export function baselineFromSamples(samples: readonly BrokerSample[]): { connections: number; channels: number } | undefined {
  const before = samples.filter((s) => s.t < 0);
  if (before.length === 0) return undefined;
  return { connections: medianOf(before.map((s) => s.connections)), channels: medianOf(before.map((s) => s.channels)) };
}

function medianOf(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function startBrokerSampler(opts: BrokerSamplerOptions): BrokerSampler {
  const intervalMs = opts.intervalMs ?? 250;
  if (!(intervalMs > 0)) throw new RangeError(`intervalMs must be positive, got ${intervalMs}`);
  const cluster = opts.nodes && opts.nodes.length > 1 ? opts.nodes : undefined;
  const endpoints = (cluster ?? [{ name: '', prometheusUrl: opts.prometheusUrl }]).map((n) => {
    const base = `${n.prometheusUrl.replace(/\/+$/, '')}/metrics`;
    return { name: n.name, target: httpTarget(base), shownUrl: redactUrl(base) };
  });
  const shownUrl = endpoints.map((e) => e.shownUrl).join(', ');
  const timeoutMs = opts.timeoutMs ?? Math.max(2000, intervalMs * 4);
  const data: ScrapeWorkerData = {
    targets: endpoints.map((e) => ({ url: e.target.url, headers: e.target.headers })),
    intervalMs,
    timeoutMs,
    // A node is left out of a tick only when its scrape failed or timed out: leaving out a node that is merely
    // slow (a loaded machine answers in ~1 s) would make the total jump down and up with no change on the broker.
    tickWaitMs: timeoutMs,
    zeroMs: zeroOf(opts.clock),
  };
  const combine = cluster ? nodeTotals(cluster.map((n) => n.name), opts.harnessNode) : undefined;
  /** Per node of a cluster: when it answered, and its failed or slow scrapes. */
  const perNode = endpoints.map(() => ({ times: [] as number[], troubles: [] as Array<{ t: number; ms: number; why: string }> }));
  const emitter = new EventEmitter();
  const samples: BrokerSample[] = [];
  const failures: ScrapeGap[] = [];
  /** Scrapes that failed or answered only after 2 intervals, with how long they took: reasons for gaps. */
  const troubles: Array<{ t: number; ms: number; why: string }> = [];
  let startedT: number | undefined;
  let stoppedT: number | undefined;
  let stopping: Promise<void> | undefined;
  let exited = false;

  // The harness's own opens and closes are taken out as of when the scrape was sent, not when its answer is
  // handled: up to a second later on a loaded machine, with the tap's probe channels opened and closed
  // meanwhile that the broker had not counted. The broker had counted at least those sent before. The tap
  // probes only while it waits for the target's exchange, early in a run; a probe inside a scrape is then
  // charged to the target in that reading, which lowers a count from it to a later reading, never raises it.
  const ownAsOf = (sentAtSec: number): HarnessUsage => opts.harnessUsage?.(data.zeroMs + sentAtSec * 1000) ?? { connections: 0, channels: 0 };

  const fail = (t: number, ms: number, why: string) => {
    const gap = { t, error: `scrape of ${shownUrl} failed: ${redactText(why, endpoints.flatMap((e) => e.target.secrets))}` };
    failures.push(gap);
    troubles.push({ t, ms, why: gap.error });
    emitter.emit('gap', gap);
  };
  const onAnswer = (m: Extract<ScrapeResult, { kind: 'answer' }>) => {
    const sentAt = m.t - m.ms / 2000;
    if (m.status < 200 || m.status > 299) return fail(sentAt, m.ms, `answered ${m.status}`);
    let counts: BrokerCounts;
    try {
      counts = parseBrokerMetrics(m.body);
    } catch (err) {
      return fail(sentAt, m.ms, (err as Error).message);
    }
    if (m.ms > 2 * intervalMs) troubles.push({ t: sentAt, ms: m.ms, why: `the broker took ${(m.ms / 1000).toFixed(1)} s to answer a scrape` });
    const sample = toSample(m.t, counts, ownAsOf(sentAt));
    samples.push(sample);
    emitter.emit('sample', sample);
  };

  // A cluster's tick: each node's answer is its own sample point or its own hole; the broker's sample is the
  // sum of the nodes that answered, and a tick with no answer at all is a hole of the run.
  const onClusterTick = (results: ScrapeResult[]) => {
    const readings: NodeReading[] = [];
    const why: string[] = [];
    results.forEach((r, i) => {
      const e = endpoints[i]!;
      const node = perNode[i]!;
      const problem = (text: string) => {
        const line = `${e.name}: scrape of ${e.shownUrl} ${redactText(text, e.target.secrets)}`;
        node.troubles.push({ t: r.t, ms: r.ms, why: line });
        why.push(line);
      };
      if (r.kind === 'late') return problem(r.busy ? 'skipped: the previous scrape had not answered' : `had no answer within ${data.tickWaitMs} ms`);
      if (r.kind === 'failure') return problem(`failed: ${r.timeout ? `no answer within ${timeoutMs} ms` : r.message}`);
      if (r.status < 200 || r.status > 299) return problem(`failed: answered ${r.status}`);
      try {
        readings.push({ node: e.name, counts: parseBrokerMetrics(r.body) });
      } catch (err) {
        return problem(`failed: ${(err as Error).message}`);
      }
      node.times.push(r.t);
      if (r.ms > 2 * intervalMs) node.troubles.push({ t: r.t - r.ms / 2000, ms: r.ms, why: `${e.name} took ${(r.ms / 1000).toFixed(1)} s to answer a scrape` });
    });
    const first = Math.min(...results.map((r) => r.t));
    const slowest = results.reduce((a, r, i) => (r.ms > a.ms ? { ms: r.ms, node: endpoints[i]!.name } : a), { ms: 0, node: '' });
    if (slowest.ms > 2 * intervalMs) troubles.push({ t: first, ms: slowest.ms, why: `the slowest node (${slowest.node}) took ${(slowest.ms / 1000).toFixed(1)} s to answer a scrape` });
    if (readings.length === 0) {
      const gap = { t: first, error: `no broker node answered: ${why.join('; ')}` };
      failures.push(gap);
      troubles.push({ t: first, ms: Math.max(...results.map((r) => r.ms)), why: gap.error });
      emitter.emit('gap', gap);
      return;
    }
    const answeredAt = readings.map((r) => perNode[endpoints.findIndex((e) => e.name === r.node)]!.times.at(-1)!);
    const t = Math.round((answeredAt.reduce((a, x) => a + x, 0) / answeredAt.length) * 1000) / 1000;
    const sentAt = Math.min(...results.map((r) => (r.kind === 'answer' ? r.t - r.ms / 2000 : r.t)));
    const sample = combine!(t, readings, ownAsOf(sentAt));
    samples.push(sample);
    emitter.emit('sample', sample);
  };

  const worker = new Worker(SCRAPE_WORKER_SOURCE, { eval: true, workerData: data });
  // Sampling counts from the end of the first scrape: a fresh worker's first fetch loads the HTTP client
  // (up to a second or two on a busy machine), which is not a hole in the broker's timeline.
  const started = new Promise<void>((resolve) => {
    worker.on('message', (m: ScrapeMessage) => {
      if (m.kind === 'tick' && combine) {
        startedT ??= Math.max(...m.results.map((r) => r.t + (r.kind === 'answer' ? r.ms / 2000 : r.ms / 1000)));
        onClusterTick(m.results);
        resolve();
      } else if (m.kind === 'tick') {
        const r = m.results[0]!;
        if (r.kind === 'answer') {
          startedT ??= r.t + r.ms / 2000;
          onAnswer(r);
        } else if (r.kind === 'failure') {
          startedT ??= r.t + r.ms / 1000;
          fail(r.t, r.ms, r.timeout ? `no answer within ${data.timeoutMs} ms` : r.message);
        }
        resolve();
      } else if (m.kind === 'stopped') {
        stoppedT = m.t;
      }
    });
    // A worker that cannot run is a hole from now on, said as such; the run goes on without samples.
    worker.on('error', (err) => {
      const t = opts.clock();
      failures.push({ t, error: `the broker sampler's worker failed: ${err.message}` });
      troubles.push({ t, ms: Infinity, why: failures[failures.length - 1]!.error });
      stoppedT ??= t;
      resolve();
    });
    worker.on('exit', () => {
      exited = true;
      resolve();
    });
  });
  worker.unref();

  const sampler: BrokerSampler = {
    samples: () => samples,
    latest: () => samples[samples.length - 1],
    gaps: () => failures,
    sampling: () => {
      const from = Math.min(startedT ?? opts.clock(), samples[0]?.t ?? Infinity);
      const to = stoppedT ?? opts.clock();
      const record = summariseSampling({ intervalMs, from, to, sampleTimes: samples.map((s) => s.t), troubles });
      if (cluster) {
        // A node's own gaps are where it did not answer while others did: a stretch with no sample at all
        // is the run's gap (record.gaps), said once there, not once per node.
        const longest = (2 * intervalMs) / 1000;
        record.nodes = endpoints.map((e, i) => {
          const own = summariseSampling({ intervalMs, from, to, sampleTimes: perNode[i]!.times, troubles: perNode[i]!.troubles });
          return { node: e.name, samples: own.samples, gaps: own.gaps.filter((g) => g.seconds - overlap(g, record.gaps) > longest) };
        });
      }
      return record;
    },
    on(event: string, fn: (...args: any[]) => void) {
      emitter.on(event, fn);
      return sampler;
    },
    off(event, fn) {
      emitter.off(event, fn);
      return sampler;
    },
    async measureBaseline(ms) {
      await started;
      const from = opts.clock();
      await new Promise((r) => setTimeout(r, ms));
      const window = samples.filter((s) => s.t >= from);
      if (window.length === 0) {
        const lastGap = failures[failures.length - 1];
        throw new BrokerUnreachableError(
          `No broker sample could be taken in ${ms} ms from ${shownUrl}${lastGap ? ` (${lastGap.error})` : ''}. ` +
            `Check the Prometheus URL and that the rabbitmq_prometheus plugin is enabled.`,
        );
      }
      return { connections: medianOf(window.map((s) => s.connections)), channels: medianOf(window.map((s) => s.channels)) };
    },
    sampleAfter(t, timeoutMs) {
      if (samples.some((s) => s.t > t)) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const done = (found: boolean) => {
          clearTimeout(timer);
          emitter.off('sample', onSample);
          resolve(found);
        };
        const onSample = (s: BrokerSample) => {
          if (s.t > t) done(true);
        };
        const timer = setTimeout(() => done(false), timeoutMs);
        emitter.on('sample', onSample);
      });
    },
    stop() {
      stopping ??= (async () => {
        await started;
        if (exited) return void (stoppedT ??= opts.clock());
        const gone = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        try {
          worker.postMessage({ kind: 'stop' } satisfies ScrapeCommand);
        } catch {
          // Already gone.
        }
        // The worker ends itself once its last scrape settled; a hung one is not worth waiting for.
        const timer = setTimeout(() => void worker.terminate(), data.timeoutMs + 1000);
        await gone;
        clearTimeout(timer);
        stoppedT ??= opts.clock();
      })();
      return stopping;
    },
  };
  return sampler;
}

/** Seconds of `g` that fall inside any of `gaps`. */
function overlap(g: { from: number; to: number }, gaps: ReadonlyArray<{ from: number; to: number }>): number {
  return gaps.reduce((a, x) => a + Math.max(0, Math.min(g.to, x.to) - Math.max(g.from, x.from)), 0);
}

function toSample(t: number, counts: BrokerCounts, own: HarnessUsage): BrokerSample {
  const sample: BrokerSample = {
    t,
    connections: Math.max(0, counts.connections - own.connections),
    channels: Math.max(0, counts.channels - own.channels),
    connectionsOpened: counts.connectionsOpened,
    connectionsClosed: counts.connectionsClosed,
    // The tap's passive declares open and close a channel each: not the target's churn.
    channelsOpened: Math.max(0, counts.channelsOpened - (own.channelsOpened ?? 0)),
    channelsClosed: Math.max(0, counts.channelsClosed - (own.channelsClosed ?? 0)),
    harnessConnections: own.connections,
    harnessChannels: own.channels,
  };
  if (counts.fds !== undefined) sample.fds = counts.fds;
  if (counts.sockets !== undefined) sample.sockets = counts.sockets;
  return sample;
}
