import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StartedRabbitNode } from '../../harness/stack/rabbitmq-node.ts';
import { leaseBroker } from '../helpers/shared-broker.ts';
import { brokerConnections, connectionList, waitFor } from '../helpers/broker-view.ts';
import { putItems } from '../helpers/put-items.ts';
import { spawnService, type SpawnedService } from '../helpers/spawn-service.ts';

// The faulty strategies as the broker sees them: leaky keeps every connection it opens, per-request
// churns one per call but holds none at rest.

describe('leaky and per-request publishers on a real broker', () => {
  let node: StartedRabbitNode;
  let service: SpawnedService | undefined;

  beforeAll(async () => {
    node = await leaseBroker();
  });
  afterEach(async () => {
    await service?.stop();
    service = undefined;
  });
  afterAll(async () => {
    await node?.stop();
  });

  // The consumer's connection is there for every strategy; only the units' connections vary.
  const unitConnections = async () => (await connectionList(node)).filter((c) => c.connectionName?.startsWith('ingest-unit-'));

  it('leaky leaves one more connection open after each request', async () => {
    service = await spawnService({ amqpUrl: node.amqpUrl, publisher: 'leaky' });
    const baseline = await brokerConnections(node);
    expect(baseline).toBe(1); // ingest-consumer

    const N = 40;
    expect(await putItems(service.url, N, 4)).toEqual({ 202: N });

    // Nothing is closed at rest: the broker keeps all N, named after the unit.
    await new Promise((r) => setTimeout(r, 500));
    expect(await brokerConnections(node)).toBe(baseline + N);
    const named = await waitFor(unitConnections, (l) => l.length >= N, 5_000);
    expect(named).toHaveLength(N);
    expect(named.every((c) => /^ingest-unit-1#\d+$/.test(c.connectionName!))).toBe(true);

    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/^ingest_amqp_connections_open\{unit="1",publisher="leaky"\} 40$/m);
    expect(metrics).toMatch(/^ingest_amqp_connections_opened_total\{unit="1",publisher="leaky"\} 40$/m);
  });

  it('per-request opens a connection per call and returns to the baseline', async () => {
    service = await spawnService({ amqpUrl: node.amqpUrl, publisher: 'per-request' });
    const baseline = await waitFor(() => brokerConnections(node), (n) => n === 1, 5_000);
    expect(baseline).toBe(1);

    const N = 40;
    expect(await putItems(service.url, N, 4)).toEqual({ 202: N });

    expect(await waitFor(() => brokerConnections(node), (n) => n === baseline, 3_000)).toBe(baseline);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/^ingest_amqp_connections_opened_total\{unit="1",publisher="per-request"\} 40$/m);
    expect(metrics).toMatch(/^ingest_amqp_connections_open\{unit="1",publisher="per-request"\} 0$/m);
  });
});
