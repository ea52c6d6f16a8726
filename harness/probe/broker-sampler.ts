// Samples RabbitMQ's Prometheus endpoint (aggregated `/metrics`) several times a second: connections,
// channels, their opened/closed totals, and file descriptors/sockets when the node reports them.
// The endpoint reflects a change within ~15 ms and a scrape costs ~15 ms even at 1,000 connections
// (DESIGN.md), unlike /api/overview which lags seconds. A failed scrape is recorded as a gap and the
// sampling goes on: an unreachable broker is a finding, not a crash.

import { EventEmitter } from 'node:events';
import type { BrokerSample } from '../run-record.ts';
import { redactText, redactUrl } from '../redact.ts';
import { httpTarget } from './http-target.ts';
import { parsePrometheusText, sumOf } from './prometheus-text.ts';

export interface BrokerSamplerOptions {
  /** Base URL of the Prometheus endpoint, e.g. http://127.0.0.1:15692 (`/metrics` is appended). */
  prometheusUrl: string;
  /** Default 250 ms (4 Hz). */
  intervalMs?: number;
  /** The harness's own broker usage right now (probes, verification tap); excluded from the counts. */
  harnessUsage?: () => { connections: number; channels: number };
  /** Seconds since load start; negative while the baseline is taken. */
  clock: () => number;
  /** Per-scrape timeout; default max(2 s, 4 intervals). Scrapes never overlap, so a slow one only lowers the rate. */
  timeoutMs?: number;
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
  on(event: 'sample', fn: (s: BrokerSample) => void): this;
  on(event: 'gap', fn: (g: ScrapeGap) => void): this;
  off(event: 'sample' | 'gap', fn: (...args: any[]) => void): this;
  /**
   * Samples for `ms` and returns the median connections and channels of that window. Throws a
   * BrokerUnreachableError when no scrape succeeded in it.
   */
  measureBaseline(ms: number): Promise<{ connections: number; channels: number }>;
  /** Stops sampling; resolves once an in-flight scrape has settled. Idempotent. */
  stop(): Promise<void>;
}

export class BrokerUnreachableError extends Error {
  override name = 'BrokerUnreachableError';
}

export interface BrokerCounts {
  connections: number;
  channels: number;
  connectionsOpened: number;
  connectionsClosed: number;
  channelsOpened: number;
  channelsClosed: number;
  fds?: number;
  sockets?: number;
}

/** Reads the counts from one exposition; throws when it is not RabbitMQ's (no rabbitmq_connections). */
export function parseBrokerMetrics(text: string): BrokerCounts {
  const m = parsePrometheusText(text);
  const connections = sumOf(m, 'rabbitmq_connections');
  if (connections === undefined) {
    throw new Error('the response has no rabbitmq_connections metric; is this the rabbitmq_prometheus endpoint (port 15692 by default)?');
  }
  const counts: BrokerCounts = {
    connections,
    channels: sumOf(m, 'rabbitmq_channels') ?? 0,
    connectionsOpened: sumOf(m, 'rabbitmq_connections_opened_total') ?? 0,
    connectionsClosed: sumOf(m, 'rabbitmq_connections_closed_total') ?? 0,
    channelsOpened: sumOf(m, 'rabbitmq_channels_opened_total') ?? 0,
    channelsClosed: sumOf(m, 'rabbitmq_channels_closed_total') ?? 0,
  };
  const fds = sumOf(m, 'rabbitmq_process_open_fds');
  const sockets = sumOf(m, 'rabbitmq_process_open_tcp_sockets');
  if (fds !== undefined) counts.fds = fds;
  if (sockets !== undefined) counts.sockets = sockets;
  return counts;
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
  const timeoutMs = opts.timeoutMs ?? Math.max(2000, intervalMs * 4);
  const shownUrl = redactUrl(`${opts.prometheusUrl.replace(/\/+$/, '')}/metrics`);
  const target = httpTarget(`${opts.prometheusUrl.replace(/\/+$/, '')}/metrics`);
  const emitter = new EventEmitter();
  const samples: BrokerSample[] = [];
  const gaps: ScrapeGap[] = [];
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  const startedMs = performance.now();
  let tick = 0;

  async function scrape(): Promise<void> {
    const before = opts.clock();
    try {
      const res = await fetch(target.url, { headers: target.headers, signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) throw new Error(`answered ${res.status}`);
      const counts = parseBrokerMetrics(await res.text());
      // The broker answered somewhere between the two readings of the clock.
      const t = round3((before + opts.clock()) / 2);
      const own = opts.harnessUsage?.() ?? { connections: 0, channels: 0 };
      const sample: BrokerSample = {
        t,
        connections: Math.max(0, counts.connections - own.connections),
        channels: Math.max(0, counts.channels - own.channels),
        connectionsOpened: counts.connectionsOpened,
        connectionsClosed: counts.connectionsClosed,
        channelsOpened: counts.channelsOpened,
        channelsClosed: counts.channelsClosed,
        harnessConnections: own.connections,
        harnessChannels: own.channels,
      };
      if (counts.fds !== undefined) sample.fds = counts.fds;
      if (counts.sockets !== undefined) sample.sockets = counts.sockets;
      samples.push(sample);
      emitter.emit('sample', sample);
    } catch (err) {
      if (stopped) return;
      const e = err as Error;
      const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : redactText(String(e.cause instanceof Error ? e.cause.message : e.message), target.secrets);
      const gap = { t: round3(before), error: `scrape of ${shownUrl} failed: ${why}` };
      gaps.push(gap);
      emitter.emit('gap', gap);
    }
  }

  function schedule(): void {
    if (stopped) return;
    // Fixed-rate schedule: a slow scrape skips ticks instead of drifting or piling up.
    const now = performance.now() - startedMs;
    tick = Math.max(tick + 1, Math.ceil(now / intervalMs));
    timer = setTimeout(run, Math.max(0, tick * intervalMs - now));
  }

  function run(): void {
    if (stopped) return;
    inFlight = scrape().finally(() => {
      inFlight = undefined;
    });
    void inFlight.then(schedule);
  }

  run();

  const sampler: BrokerSampler = {
    samples: () => samples,
    latest: () => samples[samples.length - 1],
    gaps: () => gaps,
    on(event: string, fn: (...args: any[]) => void) {
      emitter.on(event, fn);
      return sampler;
    },
    off(event, fn) {
      emitter.off(event, fn);
      return sampler;
    },
    async measureBaseline(ms) {
      const from = opts.clock();
      await new Promise((r) => setTimeout(r, ms));
      const window = samples.filter((s) => s.t >= from);
      if (window.length === 0) {
        const lastGap = gaps[gaps.length - 1];
        throw new BrokerUnreachableError(
          `No broker sample could be taken in ${ms} ms from ${shownUrl}${lastGap ? ` (${lastGap.error})` : ''}. ` +
            `Check the Prometheus URL and that the rabbitmq_prometheus plugin is enabled.`,
        );
      }
      return { connections: medianOf(window.map((s) => s.connections)), channels: medianOf(window.map((s) => s.channels)) };
    },
    async stop() {
      if (stopped) return inFlight;
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
    },
  };
  return sampler;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
