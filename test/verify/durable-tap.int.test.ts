// The durable tap survives what chaos runs do to the broker: its connection force-closed, and the
// node restarted. Nothing published meanwhile is missed and redeliveries are not taken for duplicates.
import amqp, { type ConfirmChannel, type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedRabbitNode } from '../../harness/stack/rabbitmq-node.ts';
import { integrityRules } from '../../harness/verify/integrity-rules.ts';
import { startVerificationTap } from '../../harness/verify/tap.ts';
import { connectionList, management, waitFor } from '../helpers/broker-view.ts';
import { sharedBroker } from '../helpers/shared-broker.ts';

const EXCHANGE = 'rushgate.items';

describe('durable verification tap', () => {
  // A leased node: the pool restarts it for the second test and resets it when the file gives it back.
  const broker = sharedBroker();
  let node: StartedRabbitNode;
  let publisher: { model: ChannelModel; channel: ConfirmChannel } | undefined;

  // As a service would: persistent messages, confirmed, messageId = X-Request-Id.
  const connectPublisher = async () => {
    const model = await amqp.connect(node.amqpUrl, { noDelay: true });
    model.on('error', () => {});
    const channel = await model.createConfirmChannel();
    await channel.assertExchange(EXCHANGE, 'topic', { durable: true });
    publisher = { model, channel };
  };
  const publish = async (runId: string, from: number, to: number) => {
    for (let seq = from; seq < to; seq++) publisher!.channel.publish(EXCHANGE, 'items.put', Buffer.from('{}'), { messageId: `${runId}-${seq}`, persistent: true });
    await publisher!.channel.waitForConfirms();
  };

  beforeAll(async () => {
    node = broker();
    await connectPublisher();
  });
  afterAll(async () => {
    await publisher?.model.close().catch(() => {});
  });

  it('reconnects after a force-close and misses nothing', async () => {
    const logs: string[] = [];
    const tap = await startVerificationTap({ amqpUrl: node.amqpUrl, exchange: EXCHANGE, runId: 'dt01', durable: true, connectionName: 'rushgate-verify-tap-dt01', log: (l) => logs.push(l) });
    try {
      for (let seq = 0; seq < 3000; seq++) tap.recordOutcome(seq, 200);
      const streaming = (async () => {
        for (let batch = 0; batch < 30; batch++) {
          await publish('dt01', batch * 100, batch * 100 + 100);
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      const conn = (await waitFor(() => connectionList(node), (l) => l.some((c) => c.connectionName === 'rushgate-verify-tap-dt01'), 10_000)).find(
        (c) => c.connectionName === 'rushgate-verify-tap-dt01',
      )!;
      await new Promise((r) => setTimeout(r, 150));
      expect((await management(node, `/api/connections/${encodeURIComponent(conn.name)}`, { method: 'DELETE' })).status).toBe(204);
      await streaming;
      const drained = await tap.drain({ quietMs: 500, timeoutMs: 20_000 });
      expect(drained.quiet).toBe(true);
      const report = tap.reconcile();
      expect(report.tapInterrupted).toBeUndefined();
      expect(report.tapReconnects).toBe(1);
      expect(report.arrived).toBe(3000);
      expect(report.acknowledgedButLost.count).toBe(0);
      expect(report.duplicates.count).toBe(0);
      expect(integrityRules(report)[0]?.passed).toBe(true);
      expect(logs.some((l) => l.includes('tap resumed'))).toBe(true);
    } finally {
      await tap.stop();
    }
    // stop() deletes the named queue.
    const queues = (await (await management(node, '/api/queues')).json()) as Array<{ name: string }>;
    expect(queues.filter((q) => q.name.startsWith('rushgate-verify-'))).toEqual([]);
  });

  it('survives a broker restart with what was published before and after it', async () => {
    const tap = await startVerificationTap({ amqpUrl: node.amqpUrl, exchange: EXCHANGE, runId: 'dt02', durable: true, reconnectTimeoutMs: 90_000 });
    try {
      for (let seq = 0; seq < 400; seq++) tap.recordOutcome(seq, 200);
      await publish('dt02', 0, 200);
      await publisher!.model.close().catch(() => {});
      await node.restart(500);
      await connectPublisher();
      await publish('dt02', 200, 400);
      const drained = await tap.drain({ quietMs: 500, timeoutMs: 60_000 });
      expect(drained.quiet).toBe(true);
      const report = tap.reconcile();
      expect(report.tapInterrupted).toBeUndefined();
      expect(report.tapReconnects).toBeGreaterThanOrEqual(1);
      expect(report.arrived).toBe(400);
      expect(report.acknowledgedButLost.count).toBe(0);
      expect(report.duplicates.count).toBe(0);
    } finally {
      await tap.stop();
    }
  }, 180_000);
});
