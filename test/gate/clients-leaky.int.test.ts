// Issue 11: the leaky twins of the client-library targets must fail, run after run, on the rule that
// names their flaw, with the numbers in its sentence. Abort-on-fail (--ci) stops the load once a
// rule has certainly failed.
import { describe, expect, it } from 'vitest';
import { nodeClient, pikaClient, runInARow, SCENARIOS } from './client-runs.ts';
import { failedRules, sharedBroker, type LadderRun } from './run-helpers.ts';

/** The rule failed, and its sentence carries the numbers that decided it. */
function expectFailedWithNumbers(run: LadderRun, rule: string): void {
  expect(failedRules(run.record), run.lines).toContain(rule);
  expect(run.rule(rule).message, run.lines).toMatch(/\d.*\d/);
}

describe('leaky twins on real client libraries', () => {
  const broker = sharedBroker();

  it.each(SCENARIOS)('rabbitmq-client with a new connection per request fails %s on connections, 3 times in a row', async (scenario) => {
    const runs = await runInARow({ broker: broker(), label: 'connection-per-request', command: nodeClient('connection-per-request'), scenario, abortOnFail: true, expectPassed: false });
    for (const run of runs) {
      expect(run.record.verdict.passed, run.lines).toBe(false);
      expectFailedWithNumbers(run, 'connections.growth');
      expectFailedWithNumbers(run, 'connections.residue');
      expect(run.record.summary.broker.peakConnections, run.lines).toBeGreaterThan(50);
    }
  });

  it.each(SCENARIOS)('amqp-connection-manager with a ChannelWrapper per request fails %s on channels only, 3 times in a row', async (scenario) => {
    const command = nodeClient('connection-manager-channel-per-request');
    const runs = await runInARow({ broker: broker(), label: 'channel-per-request', command, scenario, abortOnFail: true, expectPassed: false });
    for (const run of runs) {
      expect(run.record.verdict.passed, run.lines).toBe(false);
      expect(failedRules(run.record).filter((n) => n.startsWith('connections.')), run.lines).toEqual([]);
      expectFailedWithNumbers(run, 'channels.growth');
      expectFailedWithNumbers(run, 'channels.residue');
    }
  });

  it.each(SCENARIOS)('python3-pika leaking a connection every 40th request fails %s on connections, 3 times in a row', async (scenario) => {
    const runs = await runInARow({ broker: broker(), label: 'pika-leak-every-40', command: pikaClient({ LEAK_EVERY: '40' }), scenario, abortOnFail: true, expectPassed: false });
    for (const run of runs) {
      expect(run.record.verdict.passed, run.lines).toBe(false);
      expectFailedWithNumbers(run, 'connections.growth');
      expectFailedWithNumbers(run, 'connections.residue');
      // About one per 40 requests stayed open.
      const s = run.record.summary;
      const leaked = s.broker.finalConnections - s.broker.baselineConnections;
      expect(leaked, run.lines).toBeGreaterThanOrEqual(Math.floor(s.requests / 40) - 2);
      expect(leaked, run.lines).toBeLessThanOrEqual(Math.ceil(s.requests / 40) + 1);
    }
  });
});
