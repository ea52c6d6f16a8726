import { randomUUID } from 'node:crypto';
import amqp, { type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedRabbitNode } from '../../harness/stack/rabbitmq-node.ts';
import { leaseBroker } from '../helpers/shared-broker.ts';
import { connectionList, management, waitFor } from '../helpers/broker-view.ts';
import { spawnService, type SpawnedService } from '../helpers/spawn-service.ts';

// The fix under stress: when its connection is killed or the broker blocks publishing, the shared
// publisher answers 503 with Retry-After (never 500, never a 2xx it cannot back), reconnects with
// backoff, and never holds more than one connection.

interface Outcome {
  id: string;
  status: number;
  retryAfter: string | null;
  reason?: string;
}

describe('shared publisher when the broker misbehaves', () => {
  let node: StartedRabbitNode;
  let service: SpawnedService;
  let tapConn: ChannelModel;
  const tapped = new Set<string>();

  beforeAll(async () => {
    node = await leaseBroker();
    service = await spawnService({ amqpUrl: node.amqpUrl, publisher: 'shared', env: { PUBLISH_CONFIRM_TIMEOUT_MS: '1000' } });
    tapConn = await amqp.connect(node.amqpUrl, { noDelay: true });
    const tap = await tapConn.createChannel();
    const { queue } = await tap.assertQueue('', { exclusive: true });
    await tap.bindQueue(queue, 'rushgate.items', '#');
    await tap.consume(queue, (m) => m && tapped.add(m.properties.messageId as string), { noAck: true });
  }, 90_000);
  afterAll(async () => {
    await tapConn?.close().catch(() => {});
    await service?.stop();
    await node?.stop();
  });

  const put = async (): Promise<Outcome> => {
    const id = randomUUID();
    const res = await fetch(`${service.url}/api/v1/stores/store-9/items/sku-1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-request-id': id },
      body: JSON.stringify({ id: 'sku-1', name: 'Bread', price: 1.5, currency: 'EUR' }),
    });
    const body = (await res.json()) as { reason?: string };
    return { id, status: res.status, retryAfter: res.headers.get('retry-after'), reason: body.reason };
  };

  /** Sends requests from `concurrency` loops until `until()` is true. */
  const load = async (concurrency: number, until: () => boolean): Promise<Outcome[]> => {
    const out: Outcome[] = [];
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (!until()) out.push(await put());
      }),
    );
    return out;
  };

  const unitConnections = async () => (await connectionList(node)).filter((c) => c.connectionName === 'ingest-unit-1');
  const readyz = async () => (await fetch(`${service.url}/readyz`)).status;

  it('answers 503 + Retry-After while its connection is gone, reconnects, and every 202 reached the broker', async () => {
    const [conn] = await waitFor(unitConnections, (l) => l.length === 1, 5_000);
    expect(conn).toBeDefined();

    let stop = false;
    const running = load(4, () => stop);
    await new Promise((r) => setTimeout(r, 300));
    const killed = await management(node, `/api/connections/${encodeURIComponent(conn!.name)}`, { method: 'DELETE', headers: { 'x-reason': 'rushgate test' } });
    expect(killed.status).toBe(204);
    const killedAt = Date.now();
    // Keep going until the unit is back and has published again for a while.
    await waitFor(readyz, (s) => s === 200, 10_000, 20);
    const backAfterMs = Date.now() - killedAt;
    await new Promise((r) => setTimeout(r, 500));
    stop = true;
    const outcomes = await running;

    const statuses = new Set(outcomes.map((o) => o.status));
    expect([...statuses].filter((s) => s !== 202 && s !== 503)).toEqual([]);
    const refused = outcomes.filter((o) => o.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((o) => Number(o.retryAfter) >= 1)).toBe(true);
    expect(backAfterMs).toBeLessThan(5_000);

    // Exactly one connection again, and it is a new one.
    const after = await waitFor(unitConnections, (l) => l.length === 1 && l[0]!.name !== conn!.name, 5_000);
    expect(after).toHaveLength(1);
    expect(after[0]!.name).not.toBe(conn!.name);

    // The promise behind a 2xx: its message is on the broker.
    const accepted = outcomes.filter((o) => o.status === 202).map((o) => o.id);
    await waitFor(async () => accepted.filter((id) => !tapped.has(id)).length, (n) => n === 0, 3_000);
    expect(accepted.filter((id) => !tapped.has(id))).toEqual([]);
    console.log(`kill: ${accepted.length} x 202, ${refused.length} x 503 (${[...new Set(refused.map((o) => o.reason))].join(', ')}); ready again after ${backAfterMs} ms`);
  });

  it('answers 503 while the broker blocks publishing (memory alarm) and recovers when it lifts', async () => {
    expect(await readyz()).toBe(200);
    // Through the node's control channel: a rabbitmqctl call boots a VM (seconds of CPU on a busy machine).
    await node.erl(undefined, 'ok = vm_memory_monitor:set_vm_memory_high_watermark(0.0).');
    try {
      // The first publish after the alarm is what gets the connection blocked; it times out unconfirmed.
      const during: Outcome[] = [];
      for (let i = 0; i < 3; i++) during.push(await put());
      expect(during.every((o) => o.status === 503)).toBe(true);
      const blocked = await waitFor(put, (o) => o.reason === 'blocked', 5_000, 50);
      expect(blocked).toMatchObject({ status: 503, reason: 'blocked', retryAfter: '5' });
      expect(await readyz()).toBe(503);
    } finally {
      await node.erl(undefined, 'ok = vm_memory_monitor:set_vm_memory_high_watermark(0.4).');
    }
    expect(await waitFor(readyz, (s) => s === 200, 10_000, 50)).toBe(200);
    expect((await put()).status).toBe(202);
    // Blocking never cost the unit its connection.
    expect(await unitConnections()).toHaveLength(1);
  });
});
