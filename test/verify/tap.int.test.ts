import { randomBytes } from 'node:crypto';
import amqp, { type Channel, type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedRabbitNode } from '../../harness/stack/rabbitmq-node.ts';
import { leaseBroker } from '../helpers/shared-broker.ts';
import { integrityRules } from '../../harness/verify/integrity-rules.ts';
import { CLOSE_COUNTED_WITHIN_MS, startVerificationTap, VerifyExchangeError } from '../../harness/verify/tap.ts';
import { pendingCleanups } from '../../harness/lifecycle/cleanup.ts';
import { waitUntil } from '../helpers/leftovers.ts';
import { startBrokerSampler } from '../../harness/probe/broker-sampler.ts';

const EXCHANGE = 'rushgate.items';

describe('verification tap on a real broker', () => {
  let node: StartedRabbitNode;
  let publisher: ChannelModel;
  let channel: Channel;

  const api = async (path: string, init: RequestInit = {}) => {
    const { username, password } = node.credentials;
    return fetch(`${node.managementUrl}${path}`, {
      ...init,
      headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
    });
  };
  const connectionsNamed = async (name: string) => {
    const list = (await (await api('/api/connections')).json()) as Array<{ name: string; client_properties?: { connection_name?: string } }>;
    return list.filter((c) => c.client_properties?.connection_name === name);
  };
  // As a service would: one message per accepted call, messageId = X-Request-Id, confirmed.
  const publish = async (ids: Array<string | undefined>) => {
    for (const id of ids) channel.publish(EXCHANGE, 'item.update', Buffer.from('{}'), id === undefined ? {} : { messageId: id });
    await (channel as amqp.ConfirmChannel).waitForConfirms();
  };

  beforeAll(async () => {
    node = await leaseBroker();
    publisher = await amqp.connect(node.amqpUrl, { noDelay: true });
    channel = await publisher.createConfirmChannel();
    await channel.assertExchange(EXCHANGE, 'topic', { durable: true });
  });
  afterAll(async () => {
    await publisher?.close().catch(() => {});
    await node?.stop();
  });

  it('refuses a missing exchange with an error that names it and says what to do', async () => {
    const err = await startVerificationTap({ amqpUrl: node.amqpUrl, exchange: 'no.such.exchange', runId: 'r0' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VerifyExchangeError);
    expect((err as Error).message).toContain('"no.such.exchange" does not exist');
    expect((err as Error).message).toContain('--verify-exchange');
    // The failed attempt must not leave its connection open.
    expect(await waitForCount(() => connectionsNamed('rushgate-verify-tap'), 0)).toBe(true);
  });

  it('reconciles exact lost, refused-but-published, duplicate and foreign counts', async () => {
    const tap = await startVerificationTap({ amqpUrl: node.amqpUrl, exchange: EXCHANGE, runId: 'ab12', expectedRequests: 100 });
    try {
      expect(tap.usage()).toMatchObject({ connections: 1, channels: 1 });
      // 1,000 requests: 2xx except every 50th (503). Lost: 13 chosen 2xx ids never published.
      const lost = new Set([3, 11, 98, 100, 101, 250, 333, 512, 640, 777, 888, 901, 998]);
      const ids: Array<string | undefined> = [];
      for (let seq = 0; seq < 1000; seq++) {
        const status = seq % 50 === 49 ? 503 : 200;
        tap.recordOutcome(seq, status);
        // The 503s at 49 and 149 were published anyway (the broker took it, the confirm timed out).
        if (status === 200 ? !lost.has(seq) : seq === 49 || seq === 149) ids.push(`ab12-${seq}`);
      }
      tap.recordOutcome(1000, 0, 'timeout');
      ids.push('ab12-1000', 'ab12-7', 'ab12-7', 'ab12-8', 'cd34-1', 'garbage', undefined);
      await publish(ids);
      const drained = await tap.drain({ quietMs: 300, timeoutMs: 10_000 });
      expect(drained.quiet).toBe(true);
      expect(drained.messages).toBe(ids.length);

      const report = tap.reconcile();
      expect(report.sent).toBe(1001);
      expect(report.acknowledged).toBe(980);
      expect(report.refused).toBe(20);
      expect(report.noResponse).toBe(1);
      expect(report.acknowledgedButLost.count).toBe(13);
      expect(report.acknowledgedButLost.samples).toEqual([...lost].map((s) => `ab12-${s}`));
      expect(report.refusedButPublished).toMatchObject({ count: 3, byClass: { '5xx': 2, timeout: 1 } });
      // ab12-7 went out with the 2xx loop and twice more; ab12-8 once more.
      expect(report.duplicates).toEqual({
        count: 2,
        extraMessages: 3,
        samples: [
          { id: 'ab12-7', copies: 3 },
          { id: 'ab12-8', copies: 2 },
        ],
      });
      expect(report.foreign).toEqual({ count: 3, withoutId: 1, samples: ['cd34-1', 'garbage'] });
      expect(report.drain?.quiet).toBe(true);
      const lostRule = integrityRules(report)[0];
      expect(lostRule?.passed).toBe(false);
      expect(lostRule?.message).toContain('13 requests got 2xx but never reached the broker (e.g. ab12-3, ab12-11, ab12-98, ab12-100, ab12-101, ...)');
    } finally {
      await tap.stop();
    }
  });

  it('names its connection rushgate-*, and stop() is idempotent and removes its queue', async () => {
    const tap = await startVerificationTap({ amqpUrl: node.amqpUrl, exchange: EXCHANGE, runId: 'ef56', connectionName: 'rushgate-verify-tap-t3' });
    expect(pendingCleanups()).toContain(`verification tap on ${EXCHANGE}`);
    expect(await waitForCount(() => connectionsNamed('rushgate-verify-tap-t3'), 1)).toBe(true);
    const queueBefore = await api(`/api/queues/%2f/${encodeURIComponent(tap.queue)}`);
    expect(queueBefore.status).toBe(200);
    await Promise.all([tap.stop(), tap.stop()]);
    await tap.stop();
    expect(tap.usage()).toMatchObject({ connections: 0, channels: 0 });
    expect(pendingCleanups()).not.toContain(`verification tap on ${EXCHANGE}`);
    expect(await waitForCount(() => connectionsNamed('rushgate-verify-tap-t3'), 0)).toBe(true);
    expect((await api(`/api/queues/%2f/${encodeURIComponent(tap.queue)}`)).status).toBe(404);
  });

  it('marks the report inconclusive when its connection is force-closed', async () => {
    const tap = await startVerificationTap({ amqpUrl: node.amqpUrl, exchange: EXCHANGE, runId: 'gh78', connectionName: 'rushgate-verify-tap-t4' });
    try {
      tap.recordOutcome(0, 200);
      await publish(['gh78-0']);
      expect(await waitForCount(() => connectionsNamed('rushgate-verify-tap-t4'), 1)).toBe(true);
      const [conn] = await connectionsNamed('rushgate-verify-tap-t4');
      const del = await api(`/api/connections/${encodeURIComponent(conn!.name)}`, { method: 'DELETE' });
      expect(del.status).toBe(204);
      expect(await waitUntil(() => tap.usage().connections === 0, 5_000)).toBe(true);
      const drained = await tap.drain({ quietMs: 200, timeoutMs: 5_000 });
      expect(drained.quiet).toBe(false);
      const report = tap.reconcile();
      expect(report.tapInterrupted?.reason).toMatch(/CONNECTION_FORCED/);
      const lostRule = integrityRules(report)[0];
      expect(lostRule).toMatchObject({ name: 'integrity.lost', passed: false, value: '0 lost (inconclusive)' });
    } finally {
      await tap.stop();
    }
  });

  it('keeps its queue to itself: nobody else can delete it mid-run, and it keeps counting', async () => {
    const tap = await startVerificationTap({ amqpUrl: node.amqpUrl, exchange: EXCHANGE, runId: 'ij90' });
    try {
      const del = await api(`/api/queues/%2f/${encodeURIComponent(tap.queue)}`, { method: 'DELETE' });
      expect(del.status).toBeGreaterThanOrEqual(400);
      tap.recordOutcome(0, 200);
      await publish(['ij90-0']);
      await tap.drain({ quietMs: 300, timeoutMs: 5_000 });
      const report = tap.reconcile();
      expect(report.tapInterrupted).toBeUndefined();
      expect(report.arrived).toBe(1);
    } finally {
      await tap.stop();
    }
  });

  it("lets the broker sampler take its probe channels out as of each scrape, so none is charged to the target", async () => {
    // A target that declares its exchange on first publish: until then the tap opens and closes a channel
    // per look. Here it looks back to back, and the sampler scrapes every 50 ms: with the tap's counts read
    // when each answer was handled, readings taken while it looked missed some of its channels, and a
    // reading after the bind charged them to the target (rabbitmq-client in CI: 4 channels of churn).
    const exchange = `rushgate.late.${randomBytes(3).toString('hex')}`;
    const clock = () => performance.now() / 1000;
    const tap = await startVerificationTap({ amqpUrl: node.amqpUrl, exchange, runId: 'kl12', attachWhenDeclared: { clock, pollMs: 0 } });
    const sampler = startBrokerSampler({ prometheusUrl: node.prometheusUrl, intervalMs: 50, clock, harnessUsage: (asOfMs) => tap.usage(asOfMs) });
    try {
      await sampler.measureBaseline(1_500);
      // On a loaded machine scrapes and looks take far longer: the tap looks on until there were enough of both.
      await waitUntil(() => sampler.samples().length >= 12 && tap.usage().channelsOpened > 50, 20_000);
      const looking = sampler.samples().slice(1);
      await channel.assertExchange(exchange, 'topic', { durable: false });
      await tap.attached;
      const probes = tap.usage().channelsOpened;
      // Past the tap's close margin, and a scrape sent after it.
      await new Promise((r) => setTimeout(r, CLOSE_COUNTED_WITHIN_MS + 700));
      const after = sampler.latest()!;
      console.log(`tap: ${probes} channels opened while ${looking.length} scrapes were taken; target's after the bind: ${after.channelsOpened} opened, ${after.channelsClosed} closed`);
      expect(probes).toBeGreaterThan(50);
      expect(looking.length).toBeGreaterThan(10);
      // Nothing but the tap opened or closed a channel: no reading may count more for the target than the last.
      for (const s of looking) {
        expect(after.channelsOpened - s.channelsOpened, `opened, reading at ${s.t.toFixed(2)} s`).toBeLessThanOrEqual(0);
        expect(after.channelsClosed - s.channelsClosed, `closed, reading at ${s.t.toFixed(2)} s`).toBeLessThanOrEqual(0);
      }
    } finally {
      await sampler.stop();
      await tap.stop();
      await channel.deleteExchange(exchange).catch(() => {});
    }
  });
});

async function waitForCount(list: () => Promise<unknown[]>, n: number, timeoutMs = 10_000): Promise<boolean> {
  // The management API's connection list lags the socket by up to a few seconds.
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if ((await list()).length === n) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}
