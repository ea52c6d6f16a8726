// The must-show: a target that answers 200 to everything but silently never publishes every
// 10th call fails the integrity rule with exactly that many lost ids, and the verdict names some.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../harness/load/driver.ts';
import type { StartedRabbitNode } from '../../harness/stack/rabbitmq-node.ts';
import { leaseBroker } from '../helpers/shared-broker.ts';
import { buildTargets, targetCommand } from '../gate/run-helpers.ts';
import { startTarget, type StartedTarget } from '../../harness/stack/target-process.ts';
import { integrityRules } from '../../harness/verify/integrity-rules.ts';
import { startVerificationTap } from '../../harness/verify/tap.ts';
import { defineScenario } from '../../scenarios/define-scenario.ts';
import { resolveSchedule } from '../../scenarios/schedule.ts';
import { parseRequestId } from '../../scenarios/payloads.ts';

const EXCHANGE = 'rushgate.items';

const scenario = defineScenario({
  name: 'integrity-check',
  description: '150 req/s for 4 s of single item updates',
  clockStart: '07:45',
  defaultDurationSec: 4,
  peakRps: 150,
  seed: 7,
  mix: { 'item-put': { weight: 1 } },
  phases: [{ kind: 'constant-rate', name: 'steady', minutes: 4, rps: 150 }],
});

describe('a target that acknowledges but drops every 10th call', () => {
  buildTargets(['drop-every-nth']);
  let node: StartedRabbitNode;
  let target: StartedTarget;

  beforeAll(async () => {
    node = await leaseBroker();
    target = await startTarget({
      amqpUrl: node.amqpUrl,
      command: targetCommand('drop-every-nth'),
      units: 1,
      verifyExchange: EXCHANGE,
    });
  });
  afterAll(async () => {
    await target?.stop();
    await node?.stop();
  });

  it('fails integrity.lost with exactly the swallowed ids', async () => {
    const runId = 'lw01';
    const tap = await startVerificationTap({ amqpUrl: node.amqpUrl, exchange: EXCHANGE, runId });
    try {
      const schedule = resolveSchedule(scenario);
      const result = await runLoad({
        targetUrl: target.url,
        schedule,
        runId,
        onOutcome: (seq, status, kind) => tap.recordOutcome(seq, status, kind),
      });
      expect(result.requests).toBe(schedule.total);
      expect(result.status['200']).toBe(schedule.total);
      await tap.drain({ quietMs: 500, timeoutMs: 10_000 });
      const report = tap.reconcile();

      const dropped = (await (await fetch(`${target.url}/dropped`)).json()) as string[];
      expect(dropped).toHaveLength(Math.floor(schedule.total / 10));
      expect(report.sent).toBe(schedule.total);
      expect(report.acknowledged).toBe(schedule.total);
      expect(report.acknowledgedButLost.count).toBe(dropped.length);
      const bySeq = (a: string, b: string) => (parseRequestId(a)?.seq ?? 0) - (parseRequestId(b)?.seq ?? 0);
      expect(report.acknowledgedButLost.samples).toEqual([...dropped].sort(bySeq).slice(0, 20));
      expect(report.arrived).toBe(schedule.total - dropped.length);
      expect(report.duplicates.count).toBe(0);
      expect(report.foreign.count).toBe(0);

      const [lost, refusedPublished] = integrityRules(report);
      expect(lost?.passed).toBe(false);
      expect(lost?.value).toBe(`${dropped.length} lost`);
      const shown = report.acknowledgedButLost.samples.slice(0, 5).join(', ');
      expect(lost?.message).toBe(`${dropped.length} requests got 2xx but never reached the broker (e.g. ${shown}, ...).`);
      expect(refusedPublished?.passed).toBe(true);
    } finally {
      await tap.stop();
    }
  });
});
