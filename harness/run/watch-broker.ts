// `rushgate watch`: sample a broker somebody else loads (k6, production traffic) and gate on what a
// broker alone can show. The harness sends no requests, so the record has no load seconds and the gate
// runs with an unknown load (harness/gate/without-load.ts). A short idle window before t = 0 gives the
// baseline; the management API attributes connections by client name and excludes rushgate's own.

import { CannotRunError, UsageError } from '../errors.ts';
import { limitsAsText } from '../gate/limits.ts';
import { resolveLimits, type LimitsSource } from '../gate/resolve-limits.ts';
import { startBrokerSampler } from '../probe/broker-sampler.ts';
import { brokerNodesOf, externalNodes } from '../probe/broker-nodes.ts';
import { startConnectionPoller } from '../probe/connection-poller.ts';
import { createManagementClient } from '../probe/management-api.ts';
import { runClock, wallMs } from '../probe/run-clock.ts';
import { redactUrl } from '../redact.ts';
import type { RunRecord, TimelineEvent } from '../run-record.ts';
import { judgeRecord } from './judge-record.ts';
import { watchRecord } from './watch-record.ts';

/** Churn per request needs the request count; a watch judges it per second unless told otherwise. */
export const WATCH_DEFAULT_LIMITS: Record<string, string> = { 'connections.churn': '<=1/s', 'channels.churn': '<=1/s' };

export interface WatchOptions {
  /** Management API base URL; `user:pass@` allowed (default guest:guest). */
  managementUrl: string;
  /** RabbitMQ Prometheus endpoint base URL (`/metrics` is appended). */
  prometheusUrl: string;
  /** Every node's endpoint of a cluster, when given (else the others are found through the management API). */
  prometheusUrls?: string[];
  durationSec: number;
  /** Idle sampling before t = 0 for the baseline. Default 3 s. */
  baselineSec?: number;
  /** Units of the service being watched, for per-unit allowances. */
  units: number;
  limits: LimitsSource;
  /** Broker sample interval. Default 250 ms. */
  intervalMs?: number;
  /** Management API connection list interval (costs ~260 ms at 1,000 connections). Default 2 s. */
  pollIntervalMs?: number;
  log: (line: string) => void;
}

export async function watchBroker(opts: WatchOptions): Promise<RunRecord> {
  const limits = resolveLimits({ ...opts.limits, saved: { ...WATCH_DEFAULT_LIMITS, ...opts.limits.saved } });
  for (const r of ['connections.churn', 'channels.churn'] as const) {
    const l = limits[r];
    if (l && !l.perSecond) throw new UsageError(`${r}${l.text} is per requests, which a watch cannot count: write it per second, e.g. "${r}<=1/s", or "${r}=off".`);
  }
  const managementUrl = withDefaultCredentials(checkUrl(opts.managementUrl, '--management-url'));
  const prometheusUrls = opts.prometheusUrls && opts.prometheusUrls.length > 0 ? opts.prometheusUrls : [opts.prometheusUrl];
  for (const url of prometheusUrls) checkUrl(url, '--prometheus-url');
  const client = createManagementClient({ url: managementUrl });
  try {
    await client.listConnections();
  } catch (err) {
    throw new CannotRunError(`Cannot watch: ${(err as Error).message}`);
  }
  // A cluster: every node from its own endpoint (probe/broker-nodes.ts).
  const sampled = await externalNodes({ prometheusUrls, management: client, checkUrl: (_what, url) => void checkUrl(url, '--prometheus-url'), log: opts.log });

  const baselineSec = opts.baselineSec ?? 3;
  const startedAt = new Date();
  const zeroMs = wallMs() + baselineSec * 1000;
  const clock = runClock(zeroMs);
  const poller = startConnectionPoller(client, { intervalMs: opts.pollIntervalMs ?? 2000 });
  const sampler = startBrokerSampler({ prometheusUrl: opts.prometheusUrl, nodes: sampled.nodes, intervalMs: opts.intervalMs ?? 250, clock, harnessUsage: () => poller.harnessUsage() });
  const events: TimelineEvent[] = [];
  let endSec = 0;
  try {
    await sleep(zeroMs - wallMs());
    if (sampler.samples().length === 0) {
      const gap = sampler.gaps().at(-1);
      throw new CannotRunError(`Cannot watch: no sample could be read from the Prometheus endpoint${gap ? ` (${gap.error})` : ''}. Check --prometheus-url and that the rabbitmq_prometheus plugin is enabled.`);
    }
    events.push({ t: 0, kind: 'note', message: `watch started; connections by client name: ${attribution(poller.byClientName())}` });
    opts.log(`watching for ${opts.durationSec} s (baseline ${sampler.latest()!.connections} connections, ${sampler.latest()!.channels} channels)`);

    // Keep the busiest attribution seen, so the report can say who held the peak.
    let peak = { total: -1, at: 0, names: new Map<string, number>() };
    const endMs = zeroMs + opts.durationSec * 1000;
    let nextLog = 5;
    while (wallMs() < endMs) {
      await sleep(Math.min(1000, endMs - wallMs()));
      const names = poller.byClientName();
      const total = [...names.values()].reduce((a, n) => a + n, 0);
      if (total > peak.total) peak = { total, at: clock(), names };
      if (clock() >= nextLog) {
        const s = sampler.latest();
        opts.log(`t=${Math.round(clock())}s connections ${s?.connections ?? '?'} channels ${s?.channels ?? '?'}`);
        nextLog += 5;
      }
    }
    endSec = clock();
    if (peak.total > 0) events.push({ t: round(peak.at), kind: 'note', message: `most target connections seen: ${attribution(peak.names)}` });
    events.push({ t: round(endSec), kind: 'note', message: `watch ended; connections by client name: ${attribution(poller.byClientName())}` });
    const pollError = poller.lastError();
    if (pollError) events.push({ t: round(endSec), kind: 'note', message: `connection list unavailable at the end: ${pollError}` });
  } finally {
    await sampler.stop();
    await poller.stop();
  }

  const broker = sampler.samples().filter((s) => s.t <= endSec);
  const gaps = sampler.gaps().length;
  if (gaps > 0) events.push({ t: round(endSec), kind: 'note', message: `${gaps} broker scrape${gaps === 1 ? '' : 's'} failed during the watch` });
  const description = `Watched the broker at ${prometheusUrls.map(redactUrl).join(', ')} for ${round(endSec)} s while other tools drove the load`;
  const record = watchRecord({ startedAt, endedAt: new Date(), durationSec: endSec, broker, events, units: opts.units, description });
  record.limits = limitsAsText(limits);
  record.sampling = sampler.sampling();
  const brokerNodes = brokerNodesOf(sampled.nodes);
  if (brokerNodes) record.brokerNodes = brokerNodes;
  record.verdict = judgeRecord(record, limits);
  return record;
}

function attribution(names: Map<string, number>): string {
  const entries = [...names.entries()].sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? 'none' : entries.map(([name, n]) => `${name} ${n}`).join(', ');
}

function checkUrl(url: string, flag: string): string {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
    return url;
  } catch {
    throw new UsageError(`${flag} "${redactUrl(url)}" is not an http(s) URL, e.g. http://127.0.0.1:15672.`);
  }
}

/** The management API's stock account, as the external stack assumes. */
function withDefaultCredentials(url: string): string {
  const u = new URL(url);
  if (!u.username) {
    u.username = 'guest';
    u.password = 'guest';
  }
  return u.toString();
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}
