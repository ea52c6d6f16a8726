import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedRabbitNode } from '../../harness/stack/rabbitmq-node.ts';
import { brokerConnections, waitFor } from '../helpers/broker-view.ts';
import { limitConnections, sharedBroker } from '../helpers/shared-broker.ts';
import { spawnService, type SpawnedService } from '../helpers/spawn-service.ts';

// The incident in miniature: a broker with a small connection_max, the leaky service, and more
// requests than the broker will take connections for. Past the cap the broker accepts TCP and never
// answers, so requests wait out the connect timeout and fail with 500 — leaving their traceability
// events waiting, while every 202 was processed.

const CONNECT_TIMEOUT_MS = 1_000;

describe('leaky publisher against a saturated broker', () => {
  // A leased node, capped at run time (its listener's limit, as connection_max sets it).
  const broker = sharedBroker();
  let node: StartedRabbitNode;
  let service: SpawnedService;

  beforeAll(async () => {
    node = await limitConnections(broker(), 10);
    service = await spawnService({ amqpUrl: node.amqpUrl, publisher: 'leaky', env: { AMQP_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS) } });
  }, 90_000);
  afterAll(async () => {
    await service?.stop();
  });

  it('fails requests with 500 after the connect timeout and leaves their events waiting', async () => {
    const N = 40;
    const results: Array<{ status: number; ms: number; error?: string }> = [];
    let next = 0;
    const worker = async () => {
      while (next < N) {
        const i = next++;
        const started = Date.now();
        const res = await fetch(`${service.url}/api/v1/stores/store-1/items/sku-${i}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json', 'x-request-id': randomUUID() },
          body: JSON.stringify({ id: `sku-${i}`, name: 'Butter', price: 2.99, currency: 'EUR' }),
        });
        const body = (await res.json()) as { error?: string };
        results.push({ status: res.status, ms: Date.now() - started, error: body.error });
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));

    const ok = results.filter((r) => r.status === 202);
    const failed = results.filter((r) => r.status === 500);
    expect(ok.length + failed.length).toBe(N);
    // connection_max is soft: a few more than 10 get through, then none.
    expect(ok.length).toBeGreaterThanOrEqual(9);
    expect(ok.length).toBeLessThan(30);
    expect(failed.length).toBeGreaterThan(10);
    expect(failed.every((r) => r.error === 'publish_failed')).toBe(true);
    // They stalled for the connect timeout instead of hanging forever or failing at once.
    expect(Math.min(...failed.map((r) => r.ms))).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS - 50);
    expect(Math.max(...failed.map((r) => r.ms))).toBeLessThan(CONNECT_TIMEOUT_MS + 3_000);

    const trace = await waitFor(
      async () => (await (await fetch(`${service.url}/traceability`)).json()) as { accepted: number; processed: number; waiting: number; withdrawn: number },
      (t) => t.processed >= ok.length,
      5_000,
    );
    expect(trace).toMatchObject({ accepted: N, processed: ok.length, waiting: failed.length, withdrawn: 0 });
    console.log(`leaky at connection_max=10: ${ok.length} accepted, ${failed.length} x 500, broker holds ${await brokerConnections(node)} connections`);
  });
});
