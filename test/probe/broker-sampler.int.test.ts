import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import amqp, { type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerUnreachableError, startBrokerSampler, type BrokerSampler } from '../../harness/probe/broker-sampler.ts';
import { gapsWithin } from '../../harness/gate/sampling-gaps.ts';
import { startConnectionPoller } from '../../harness/probe/connection-poller.ts';
import { createManagementClient, ManagementApiError, type BrokerConnection } from '../../harness/probe/management-api.ts';
import { freePort } from '../../harness/stack/free-port.ts';
import type { StartedRabbitNode } from '../../harness/stack/rabbitmq-node.ts';
import { leaseBroker } from '../helpers/shared-broker.ts';
import type { BrokerSample } from '../../harness/run-record.ts';

const INTERVAL_MS = 100;
let node: StartedRabbitNode;

beforeAll(async () => {
  node = await leaseBroker();
}, 90_000);
afterAll(async () => {
  await node?.stop();
});

const now = () => performance.now() / 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function openConnections(n: number, name: string): Promise<ChannelModel[]> {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const c = await amqp.connect(node.amqpUrl, { noDelay: true, clientProperties: { connection_name: `${name}-${i}` } });
      await c.createChannel();
      return c;
    }),
  );
}

/**
 * The second sample emitted from now on. Scrapes run one at a time, so the first may have started
 * before now; the second certainly started after, and must show any change made before now.
 */
function secondSampleFromNow(sampler: BrokerSampler, timeoutMs = 5000): Promise<BrokerSample> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no sample in time')), timeoutMs);
    let seen = 0;
    const fn = (s: BrokerSample) => {
      if (++seen < 2) return;
      clearTimeout(timer);
      sampler.off('sample', fn);
      resolve(s);
    };
    sampler.on('sample', fn);
  });
}

/**
 * The baseline window of the cases that need a sample in it: the sampler's worker thread starts first, and
 * beside the integration tier's other files that took more than 300 ms once (CI: no sample in 300 ms).
 */
const BASELINE_MS = 2_000;

describe('broker sampler on a real RabbitMQ node', () => {
  it('sees connections and channels open and close within one interval', async () => {
    let cleanup: (() => Promise<unknown>) | undefined;
    const sampler = startBrokerSampler({ prometheusUrl: node.prometheusUrl, intervalMs: INTERVAL_MS, clock: now });
    try {
      const baseline = await sampler.measureBaseline(BASELINE_MS);
      expect(baseline).toEqual({ connections: 0, channels: 0 });
      const before = sampler.latest()!;

      const conns = await openConnections(5, 'sampler-test');
      const opened = now();
      cleanup = () => Promise.all(conns.map((c) => c.close().catch(() => {})));
      const up = await secondSampleFromNow(sampler);
      expect(up.connections).toBe(5);
      expect(up.channels).toBe(5);
      expect(up.connectionsOpened - before.connectionsOpened).toBe(5);
      expect(up.channelsOpened - before.channelsOpened).toBe(5);
      // The exact counts above come from the first scrape that started after the open: the sampler sees
      // a change within one interval plus a scrape (~15 ms quiet; up to ~90 ms measured on this shared,
      // loaded 2-core machine, and 1.008 s once in CI under the full suite). The time bound is loose so
      // a busy CI box does not fail it; a sampler that fell back to a slow interval still would.
      expect(up.t - opened).toBeLessThan(2);

      await Promise.all(conns.map((c) => c.close()));
      cleanup = undefined;
      const closed = now();
      const down = await secondSampleFromNow(sampler);
      expect(down.connections).toBe(0);
      expect(down.channels).toBe(0);
      expect(down.connectionsClosed - before.connectionsClosed).toBe(5);
      expect(down.t - closed).toBeLessThan(1);

      // >= 2 Hz is the requirement; a slow scrape skips a tick rather than piling up.
      const all = sampler.samples();
      const hz = (all.length - 1) / (all[all.length - 1]!.t - all[0]!.t);
      console.log(`sampler: ${hz.toFixed(1)} Hz at ${INTERVAL_MS} ms; open seen after ${((up.t - opened) * 1000).toFixed(0)} ms, close after ${((down.t - closed) * 1000).toFixed(0)} ms`);
      expect(hz).toBeGreaterThanOrEqual(2);
      expect(typeof sampler.latest()!.fds).toBe('number');
    } finally {
      await sampler.stop();
      await cleanup?.();
    }
  });

  it("excludes the harness's own connections", async () => {
    const own = await openConnections(2, 'rushgate-tap');
    const sampler = startBrokerSampler({
      prometheusUrl: node.prometheusUrl,
      intervalMs: INTERVAL_MS,
      clock: now,
      harnessUsage: () => ({ connections: 2, channels: 2 }),
    });
    const target = await openConnections(3, 'target');
    try {
      const s = await secondSampleFromNow(sampler);
      expect(s.connections).toBe(3);
      expect(s.channels).toBe(3);
      expect(s.harnessConnections).toBe(2);
    } finally {
      await sampler.stop();
      await Promise.all([...own, ...target].map((c) => c.close()));
    }
  });

  it('keeps sampling while the main thread is busy, as the load driver keeps it under heavy load', async () => {
    const intervalMs = 250;
    const sampler = startBrokerSampler({ prometheusUrl: node.prometheusUrl, intervalMs, clock: now });
    try {
      await sampler.measureBaseline(BASELINE_MS);
      const from = now();
      const until = performance.now() + 3000;
      while (performance.now() < until) {
        // Nothing else runs on this thread for 3 s: no timer, no socket, no message from the worker.
      }
      const to = now();
      await sleep(2 * intervalMs); // the samples queued meanwhile are delivered now
      const during = sampler.samples().filter((s) => s.t >= from && s.t <= to);
      const { gaps } = sampler.sampling();
      const holes = gapsWithin(gaps, from, to).seconds;
      console.log(`busy main thread: ${during.length} samples in ${(to - from).toFixed(1)} s (${Math.round(((to - from) * 1000) / intervalMs)} due); ${holes.toFixed(2)} s in gaps`);
      // A sampler on the main thread takes none here (it took 90 of 200 under 1,600 connections): 3 s of
      // gap. The worker keeps its schedule; the bounds leave room for a machine shared with other suites
      // (this loop holds one of the two cores: beside the suite's other files, 1.65 s of gaps once in CI).
      expect(during.length).toBeGreaterThanOrEqual(6);
      expect(holes).toBeLessThan(2.25);
      // Taken in the worker, stamped with its own clock: spread across the busy window, not bunched at its end.
      expect(during[0]!.t - from).toBeLessThan(1);
    } finally {
      await sampler.stop();
    }
  });

  it('stop() ends sampling: no sample is added afterwards', async () => {
    const sampler = startBrokerSampler({ prometheusUrl: node.prometheusUrl, intervalMs: 50, clock: now });
    await sampler.measureBaseline(BASELINE_MS);
    await sampler.stop();
    const n = sampler.samples().length;
    expect(n).toBeGreaterThan(2);
    await sleep(200);
    expect(sampler.samples().length).toBe(n);
    await sampler.stop(); // idempotent
  });
});

describe('management API client on a real RabbitMQ node', () => {
  const client = () => createManagementClient({ url: node.managementUrl, ...node.credentials });

  async function waitForListing(pred: (list: BrokerConnection[]) => boolean): Promise<BrokerConnection[]> {
    // The management API's connection list follows the broker's 5 s statistics interval.
    const deadline = Date.now() + 15_000;
    for (;;) {
      const list = await client().listConnections();
      if (pred(list) || Date.now() > deadline) return list;
      await sleep(250);
    }
  }

  it('lists connections with their client names and channels, and closes one by name', async () => {
    const conns = await openConnections(2, 'rushgate-probe');
    const target = await openConnections(1, 'ingest-unit');
    try {
      const list = await waitForListing((l) => l.length === 3 && l.every((c) => c.channels === 1));
      expect(list.map((c) => c.connectionName).sort()).toEqual(['ingest-unit-0', 'rushgate-probe-0', 'rushgate-probe-1']);
      expect(list.filter((c) => c.harness)).toHaveLength(2);
      const unit = list.find((c) => c.connectionName === 'ingest-unit-0')!;
      expect(unit).toMatchObject({ peerHost: '127.0.0.1', channels: 1, user: node.credentials.username, state: 'running', vhost: '/' });
      expect(unit.peerPort).toBeGreaterThan(0);

      const closedByBroker = new Promise<void>((resolve) => target[0]!.once('close', () => resolve()));
      target[0]!.on('error', () => {}); // the forced close arrives as a connection error too
      expect(await client().closeConnection(unit.name, 'rushgate test')).toBe(true);
      await closedByBroker;
      expect(await client().closeConnection('no such connection')).toBe(false);

      const poller = startConnectionPoller(client(), { intervalMs: 200 });
      await sleep(600);
      await poller.stop();
      expect(poller.harnessUsage()).toEqual({ connections: 2, channels: 2 });
      expect(poller.byClientName()).toEqual(new Map());
    } finally {
      await Promise.all(conns.map((c) => c.close()));
    }
  });

  it('reads the overview', async () => {
    const o = await client().overview();
    expect(o.rabbitmqVersion).toMatch(/^3\.10\./);
    expect(o.node).toBe(node.nodeName);
    expect(o.objectTotals.exchanges).toBeGreaterThan(0);
  });

  it('never shows the password: bad credentials, credentials in the URL, unreachable host', async () => {
    const bad = createManagementClient({ url: node.managementUrl, username: node.credentials.username, password: 'wrong-secret-123' });
    const err = await bad.overview().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ManagementApiError);
    expect((err as ManagementApiError).status).toBe(401);
    expect((err as Error).message).not.toContain('wrong-secret-123');
    expect((err as Error).message).toMatch(/refused the credentials/);

    const inUrl = new URL(node.managementUrl);
    inUrl.username = node.credentials.username;
    inUrl.password = node.credentials.password;
    expect((await createManagementClient({ url: inUrl.toString() }).overview()).rabbitmqVersion).toMatch(/^3\./);

    const dead = new URL(`http://127.0.0.1:${await freePort()}/`);
    dead.username = 'u';
    dead.password = 'secret-in-url-999';
    const unreachable = await createManagementClient({ url: dead.toString(), timeoutMs: 2000 }).overview().catch((e: unknown) => e);
    expect(unreachable).toBeInstanceOf(ManagementApiError);
    expect((unreachable as Error).message).toMatch(/could not be reached/);
    expect((unreachable as Error).message).not.toContain('secret-in-url-999');
  });
});

describe('broker sampler when the endpoint fails', () => {
  let server: Server;
  let mode: 'ok' | 'error' | 'garbage' | 'stall' = 'error';
  let url: string;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      if (mode === 'stall') return void setTimeout(() => res.writeHead(200).end('rabbitmq_connections 4\n'), 700);
      if (mode === 'error') res.writeHead(500).end('boom');
      else if (mode === 'garbage') res.writeHead(200).end('<html>not metrics</html>');
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('rabbitmq_connections 4\nrabbitmq_channels 7\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('records failed scrapes as gaps, keeps going, and recovers', async () => {
    mode = 'error';
    const sampler = startBrokerSampler({ prometheusUrl: url, intervalMs: 50, clock: now });
    try {
      await new Promise((resolve) => sampler.on('gap', resolve)); // the worker has started
      await sleep(250);
      mode = 'garbage';
      await sleep(250);
      mode = 'ok';
      await sleep(250);
      const gaps = sampler.gaps();
      expect(gaps.some((g) => /answered 500/.test(g.error))).toBe(true);
      expect(gaps.some((g) => /no rabbitmq_connections metric/.test(g.error))).toBe(true);
      expect(sampler.latest()).toMatchObject({ connections: 4, channels: 7, connectionsOpened: 0 });
    } finally {
      await sampler.stop();
    }
  });

  it('records a stalled endpoint as a gap in sampling(), with the reason', async () => {
    mode = 'ok';
    const sampler = startBrokerSampler({ prometheusUrl: url, intervalMs: 50, timeoutMs: 400, clock: now });
    try {
      await sampler.measureBaseline(BASELINE_MS);
      mode = 'stall';
      const stalledAt = now();
      await sleep(1000);
      mode = 'ok';
      await sleep(300);
      await sampler.stop();
      const sampling = sampler.sampling();
      const gap = sampling.gaps.find((g) => g.to > stalledAt);
      expect(gap, JSON.stringify(sampling.gaps)).toBeDefined();
      expect(gap!.seconds).toBeGreaterThan(0.8);
      expect(gap!.reason).toMatch(/scrapes? failed.*no answer within 400 ms/);
      expect(sampling.samples).toBeLessThan(sampling.expected - 15);
    } finally {
      await sampler.stop();
    }
  });

  it('sampleAfter waits for a reading taken after a given time, and says when none came', async () => {
    mode = 'ok';
    const sampler = startBrokerSampler({ prometheusUrl: url, intervalMs: 50, timeoutMs: 400, clock: now });
    try {
      await sampler.measureBaseline(BASELINE_MS);
      mode = 'stall';
      await sleep(500); // the scrape under way when the stall began has answered or timed out
      const stalledAt = now();
      expect(await sampler.sampleAfter(stalledAt, 600)).toBe(false);
      mode = 'ok';
      expect(await sampler.sampleAfter(stalledAt, 2_000)).toBe(true);
      expect(sampler.latest()!.t).toBeGreaterThan(stalledAt);
    } finally {
      await sampler.stop();
    }
  });

  it('measureBaseline rejects with a BrokerUnreachableError when nothing answers', async () => {
    const closedPort = await freePort(); // free, so nothing listens there
    const sampler = startBrokerSampler({ prometheusUrl: `http://127.0.0.1:${closedPort}`, intervalMs: 50, clock: now });
    try {
      const err = await sampler.measureBaseline(300).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BrokerUnreachableError);
      expect((err as Error).message).toMatch(/No broker sample could be taken in 300 ms from http:\/\/127\.0\.0\.1:\d+\/metrics \(scrape of .* failed: .*ECONNREFUSED/);
      expect(sampler.samples()).toEqual([]);
    } finally {
      await sampler.stop();
    }
  });
});
