// Issue 5's second must-show, at the library level: the fixed (`shared`) service keeps the promise
// while its broker connection is force-closed mid-run — 0 acknowledged-but-lost, and the requests
// caught in the gap are refused (503), never a 200 that was not published and never a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../harness/load/driver.ts';
import type { StartedRabbitNode } from '../../harness/stack/rabbitmq-node.ts';
import { leaseBroker } from '../helpers/shared-broker.ts';
import { integrityRules } from '../../harness/verify/integrity-rules.ts';
import { startVerificationTap } from '../../harness/verify/tap.ts';
import { fetchWorkerStatus } from '../../harness/verify/worker-status.ts';
import { defineScenario } from '../../scenarios/define-scenario.ts';
import { resolveSchedule } from '../../scenarios/schedule.ts';
import { connectionList, management, waitFor } from '../helpers/broker-view.ts';
import { spawnService, type SpawnedService } from '../helpers/spawn-service.ts';

const scenario = defineScenario({
  name: 'force-close',
  description: '120 req/s for 8 s of item updates and matchings',
  clockStart: '07:50',
  defaultDurationSec: 8,
  peakRps: 120,
  seed: 99,
  mix: { 'item-put': { weight: 3 }, matchings: { weight: 1, pairs: { min: 1, max: 5 } } },
  phases: [{ kind: 'constant-rate', name: 'steady', minutes: 8, rps: 120 }],
});

describe('shared publisher, connection force-closed mid-run', () => {
  let node: StartedRabbitNode;
  let service: SpawnedService;

  beforeAll(async () => {
    node = await leaseBroker();
    service = await spawnService({ amqpUrl: node.amqpUrl, publisher: 'shared', units: 1 });
  }, 90_000);
  afterAll(async () => {
    await service?.stop();
    await node?.stop();
  });

  it('loses no acknowledged request and answers the gap with 503', async () => {
    const runId = 'fc01';
    const tap = await startVerificationTap({ amqpUrl: node.amqpUrl, exchange: 'rushgate.items', runId });
    try {
      const ingest = await waitFor(() => connectionList(node), (list) => list.some((c) => c.connectionName === 'ingest-unit-1'), 10_000);
      const target = ingest.find((c) => c.connectionName === 'ingest-unit-1');
      expect(target).toBeDefined();

      const schedule = resolveSchedule(scenario);
      const load = runLoad({ targetUrl: service.url, schedule, runId, onOutcome: (seq, status, kind) => tap.recordOutcome(seq, status, kind) });
      const closeAt = new Promise<number>((resolve) => {
        load.on('second', (s) => {
          if (s.t !== 2) return;
          void management(node, `/api/connections/${encodeURIComponent(target!.name)}`, { method: 'DELETE', headers: { 'X-Reason': 'rushgate force-close test' } }).then((r) =>
            resolve(r.status),
          );
        });
      });
      const result = await load;
      expect(await closeAt).toBe(204);
      await tap.drain({ quietMs: 1_000, timeoutMs: 15_000 });
      const report = tap.reconcile();
      report.worker = await fetchWorkerStatus(`${service.url}/traceability`);
      console.log(
        `force-close: status ${JSON.stringify(result.status)} errors ${JSON.stringify(result.errors)}; ` +
          `sent ${report.sent}, 2xx ${report.acknowledged}, arrived ${report.arrived}, lost ${report.acknowledgedButLost.count}, ` +
          `refused-but-published ${report.refusedButPublished.count}, duplicates ${report.duplicates.count}; worker ${JSON.stringify(report.worker)}`,
      );

      expect(report.sent).toBe(schedule.total);
      expect(report.acknowledgedButLost).toEqual({ count: 0, samples: [] });
      expect(integrityRules(report)[0]?.passed).toBe(true);
      // Only 2xx and 503: nothing failed in a way a client cannot retry.
      expect(Object.keys(result.status).filter((code) => code !== '202' && code !== '503')).toEqual([]);
      expect(result.errors).toEqual({});
      // The gap is the service's reconnect backoff: 2xx again, and only 2xx, within 5 s of the close.
      const refusedSeconds = result.seconds.filter((sec) => (sec.status['503'] ?? 0) > 0).map((sec) => sec.t);
      expect(refusedSeconds.length).toBeGreaterThan(0);
      expect(Math.max(...refusedSeconds)).toBeLessThanOrEqual(3 + 5);
      const last = result.seconds.filter((sec) => sec.t < schedule.perSecond.length).at(-1)!;
      expect(last.status).toEqual({ '202': last.completed });
      // It reconnected: exactly one publishing connection again, under its name.
      const after = await waitFor(() => connectionList(node), (list) => list.some((c) => c.connectionName === 'ingest-unit-1'), 10_000);
      expect(after.filter((c) => c.connectionName?.startsWith('ingest-unit-'))).toHaveLength(1);
    } finally {
      await tap.stop();
    }
  });
});
