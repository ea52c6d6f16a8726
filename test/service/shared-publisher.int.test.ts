import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRabbitNode, type StartedRabbitNode } from '../../harness/stack/rabbitmq-node.ts';
import { brokerConnections, connectionList, waitFor } from '../helpers/broker-view.ts';
import { putItems } from '../helpers/put-items.ts';
import { spawnService, type SpawnedService } from '../helpers/spawn-service.ts';

// The fix as the broker sees it: one connection per unit however much traffic, every call confirmed
// and processed, and a clean goodbye on SIGTERM.

describe('shared publisher, 2 units, on a real broker', () => {
  const units = 2;
  let node: StartedRabbitNode;
  let shared: SpawnedService | undefined;
  const logLines: string[] = [];
  const unitConnections = async () => (await connectionList(node)).filter((c) => c.connectionName?.startsWith('ingest-unit-'));

  beforeAll(async () => {
    node = await startRabbitNode({ log: (line) => logLines.push(line) });
    shared = await spawnService({ amqpUrl: node.amqpUrl, publisher: 'shared', units });
  }, 90_000);
  afterAll(async () => {
    await shared?.stop();
    await node?.stop();
  });

  it('holds exactly UNITS connections across 5,000 requests and processes all of them', async () => {
    const svc = shared!;
    // The management API lists a new connection only after its next statistics tick (~1 s).
    const named = await waitFor(unitConnections, (l) => l.length >= units, 5_000);
    expect(named.map((c) => c.connectionName).sort()).toEqual(['ingest-unit-1', 'ingest-unit-2']);

    // A Prometheus scrape costs the broker real CPU (~0.2 s on a busy 2-core box): 2 Hz, not flat out.
    const samples: number[] = [];
    const sampleErrors: string[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        await brokerConnections(node).then(
          (n) => samples.push(n),
          (err: Error) => sampleErrors.push(err.message),
        );
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    const started = Date.now();
    const statuses = await putItems(svc.url, 5_000, 64);
    const elapsed = Date.now() - started;
    sampling = false;
    await sampler;

    expect(statuses).toEqual({ 202: 5_000 });
    expect(sampleErrors).toEqual([]);
    expect(samples.length).toBeGreaterThan(2);
    // units + the consumer, at every sample.
    expect(Math.min(...samples)).toBe(units + 1);
    expect(Math.max(...samples)).toBe(units + 1);
    expect((await unitConnections()).map((c) => c.connectionName).sort()).toEqual(['ingest-unit-1', 'ingest-unit-2']);

    const trace = await waitFor(
      async () => (await (await fetch(`${svc.url}/traceability`)).json()) as { accepted: number; processed: number; waiting: number },
      (t) => t.processed === 5_000,
      10_000,
    );
    expect(trace).toMatchObject({ accepted: 5_000, processed: 5_000, waiting: 0 });

    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    const confirms = [...metrics.matchAll(/^ingest_publish_confirms_total\{unit="\d",publisher="shared"\} (\d+)$/gm)].map((m) => Number(m[1]));
    expect(confirms).toHaveLength(units);
    expect(confirms.reduce((a, b) => a + b, 0)).toBe(5_000);
    // Between samples too: each unit opened exactly one connection in its life and never lost it.
    expect(metrics.match(/^ingest_amqp_connections_opened_total\{unit="\d",publisher="shared"\} 1$/gm)).toHaveLength(units);
    expect(metrics.match(/^ingest_amqp_connections_closed_total\{unit="\d",publisher="shared"\} 0$/gm)).toHaveLength(units);
    console.log(`shared: 5,000 PUTs in ${elapsed} ms (${Math.round(5_000_000 / elapsed)} req/s), per unit ${confirms.join('/')}, ${samples.length} broker samples`);
  });

  it('SIGTERM closes the connections cleanly and exits 0', async () => {
    const svc = shared!;
    expect(await brokerConnections(node)).toBe(units + 1);
    logLines.length = 0;

    const status = await svc.stop();
    shared = undefined;

    expect(status).toEqual({ code: 0, signal: null });
    expect(await waitFor(() => brokerConnections(node), (n) => n === 0, 3_000)).toBe(0);
    // A socket dropped without connection.close shows as a warning on the broker's console; none may appear.
    await new Promise((r) => setTimeout(r, 300));
    expect(logLines.filter((l) => /unexpectedly closed|closed_abruptly/i.test(l))).toEqual([]);
  });
});
