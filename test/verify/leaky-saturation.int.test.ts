// Issue 5's third must-show, at the library level: the incident's `leaky` service at a broker's
// connection cap. Past the cap every request waits out its connect timeout and fails after its
// traceability event was recorded, so events stay "waiting"; requests the client gave up on while
// the service was still connecting get published anyway (refused-but-published).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../harness/load/driver.ts';
import type { StartedRabbitNode } from '../../harness/stack/rabbitmq-node.ts';
import { integrityRules } from '../../harness/verify/integrity-rules.ts';
import { startVerificationTap } from '../../harness/verify/tap.ts';
import { fetchWorkerStatus } from '../../harness/verify/worker-status.ts';
import { defineScenario } from '../../scenarios/define-scenario.ts';
import { resolveSchedule } from '../../scenarios/schedule.ts';
import { limitConnections, sharedBroker } from '../helpers/shared-broker.ts';
import { spawnService, type SpawnedService } from '../helpers/spawn-service.ts';

const CONNECTION_MAX = 30;

const scenario = defineScenario({
  name: 'saturate',
  description: '25 req/s for 6 s: past a 30-connection cap within two seconds for a leaking service',
  clockStart: '07:45',
  defaultDurationSec: 6,
  peakRps: 25,
  seed: 3,
  mix: { 'item-put': { weight: 1 } },
  phases: [{ kind: 'constant-rate', name: 'peak', minutes: 6, rps: 25 }],
});

describe('leaky publisher at the connection cap', () => {
  // A leased node, capped at run time (its listener's limit, as connection_max sets it).
  const broker = sharedBroker();
  let node: StartedRabbitNode;
  let service: SpawnedService;

  beforeAll(async () => {
    node = await limitConnections(broker(), CONNECTION_MAX);
    service = await spawnService({ amqpUrl: node.amqpUrl, publisher: 'leaky', units: 1, env: { AMQP_CONNECT_TIMEOUT_MS: '1500' } });
  }, 90_000);
  afterAll(async () => {
    await service?.stop();
  });

  it('leaves events waiting and reports them next to the reconciliation', async () => {
    const runId = 'lk01';
    const tap = await startVerificationTap({ amqpUrl: node.amqpUrl, exchange: 'rushgate.items', runId });
    try {
      const schedule = resolveSchedule(scenario);
      // The client gives up before the service's connect timeout: the window where a late publish lands.
      const result = await runLoad({ targetUrl: service.url, schedule, runId, timeoutMs: 1_000, onOutcome: (seq, status, kind) => tap.recordOutcome(seq, status, kind) });
      await tap.drain({ quietMs: 1_500, timeoutMs: 15_000 });
      const report = tap.reconcile();
      report.worker = await fetchWorkerStatus(`${service.url}/traceability`);
      console.log(
        `leaky: status ${JSON.stringify(result.status)} errors ${JSON.stringify(result.errors)}; sent ${report.sent}, 2xx ${report.acknowledged}, ` +
          `arrived ${report.arrived}, lost ${report.acknowledgedButLost.count}, refused-but-published ${JSON.stringify(report.refusedButPublished.byClass)}; ` +
          `worker ${JSON.stringify({ ...report.worker, waitingSample: undefined })}`,
      );
      expect(report.sent).toBe(schedule.total);
      expect(report.noResponse + report.refused).toBeGreaterThan(schedule.total / 3);
      expect(report.worker).toBeDefined();
      expect(report.worker!.waiting).toBeGreaterThan(0);
      expect(report.worker!.waitingSample!.length).toBeGreaterThan(0);
      // Fire-and-forget on a fresh connection still lands when it got one: what was acknowledged arrived.
      expect(report.acknowledgedButLost.count).toBe(0);
      const rules = integrityRules(report);
      expect(rules.map((r) => r.name)).toEqual(['integrity.lost', 'integrity.refused-published', 'integrity.duplicates']);
      // How many land late depends on connect speed (here ~10% of the timeouts); the rule shows them, never fails.
      expect(rules[1]!.value.split(' ')[0]).toBe(String(report.refusedButPublished.count));
      expect(rules[1]!.passed).toBe(true);
    } finally {
      await tap.stop();
    }
  });
});
