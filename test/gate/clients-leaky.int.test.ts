// Issue 11: the leaky twins of the client-library targets must fail, run after run, on the rule that
// names their flaw, with a sentence that says what it is and the numbers that decided it. Abort-on-fail
// (--ci) stops the load once a rule has certainly failed.
import { describe, expect, it } from 'vitest';
import { brokerPerScenario, buildNodeClients, CLIENT_TEST_TIMEOUT_MS, nodeClient, pikaClient, runBothScenarios } from './client-runs.ts';
import { failedRules, type LadderRun } from './run-helpers.ts';

/** The run failed on this rule, with a sentence matching `says` that carries its numbers. */
function expectFailedOn(run: LadderRun & { scenario: string }, rule: string, says: RegExp): void {
  const why = `${run.scenario}:\n${run.lines}`;
  expect(run.record.verdict.passed, why).toBe(false);
  expect(failedRules(run.record), why).toContain(rule);
  expect(run.rule(rule).message, why).toMatch(says);
  expect(run.rule(rule).message, why).toMatch(/\d.*\d/);
}

/** Growth names the leak; residue says what was left open. */
function expectLeakOf(run: LadderRun & { scenario: string }, resource: 'connections' | 'channels'): void {
  // Stopped early by abort-on-fail, a compressed ladder may end before a rise at a load already served is
  // seen: then growth can only say the level was still rising when the load ended, which is as true.
  // Likewise when the service starved (CI: a pika target beside five other runs on 2 cores) and its requests
  // in flight rose with the leak, up to 16 at the 16 connections of a leak of one per 40: a pool that fills
  // with concurrency would look the same, so the gate may only say "not shown to be bounded", and why. Only
  // where the requests in flight did reach the level the resource rose by.
  const leak = /kept rising with requests served.*leak/;
  const b = run.record.summary.broker;
  const rose = resource === 'connections' ? b.peakConnections - b.baselineConnections : b.peakChannels - b.baselineChannels;
  const inFlight = Math.max(0, ...run.record.load.map((s) => s.inFlightMax ?? 0));
  const growth = run.record.verdict.aborted
    ? new RegExp(`${leak.source}|not shown to be bounded.*still rising when the load ended`)
    : inFlight >= rose - 1
      ? new RegExp(`${leak.source}|not shown to be bounded: each rise came with a new high of the load or of the requests in flight`)
      : leak;
  expectFailedOn(run, `${resource}.growth`, growth);
  expectFailedOn(run, `${resource}.residue`, /still at .* left open/);
}

describe('leaky twins on real client libraries', () => {
  const brokers = brokerPerScenario();
  buildNodeClients(['connection-per-request', 'connection-manager-channel-per-request']);

  it('rabbitmq-client with a new connection per request fails step-ladder and eu-morning on connections, 3 times in a row', async () => {
    const runs = await runBothScenarios(brokers, { label: 'connection-per-request', command: nodeClient('connection-per-request'), abortOnFail: true, expectPassed: false });
    for (const run of runs) {
      expectLeakOf(run, 'connections');
      expectFailedOn(run, 'connections.ceiling', /above the ceiling of 2 /);
      expect(run.record.summary.broker.peakConnections, run.lines).toBeGreaterThan(50);
    }
  }, CLIENT_TEST_TIMEOUT_MS);

  it('amqp-connection-manager with a ChannelWrapper per request fails step-ladder and eu-morning on channels only, 3 times in a row', async () => {
    const command = nodeClient('connection-manager-channel-per-request');
    const runs = await runBothScenarios(brokers, { label: 'channel-per-request', command, abortOnFail: true, expectPassed: false });
    for (const run of runs) {
      expect(failedRules(run.record).filter((n) => n.startsWith('connections.')), run.lines).toEqual([]);
      expectLeakOf(run, 'channels');
      expectFailedOn(run, 'channels.per-connection', /above the sanity limit of 128/);
    }
  }, CLIENT_TEST_TIMEOUT_MS);

  it('python3-pika leaking a connection every 40th request fails step-ladder and eu-morning on connections, 3 times in a row', async () => {
    const runs = await runBothScenarios(brokers, { label: 'pika-leak-every-40', command: pikaClient({ LEAK_EVERY: '40' }), abortOnFail: true, expectPassed: false });
    for (const run of runs) {
      expectLeakOf(run, 'connections');
      // About one per 40 requests stayed open.
      const s = run.record.summary;
      const leaked = s.broker.finalConnections - s.broker.baselineConnections;
      expect(leaked, run.lines).toBeGreaterThanOrEqual(Math.floor(s.requests / 40) - 2);
      expect(leaked, run.lines).toBeLessThanOrEqual(Math.ceil(s.requests / 40) + 1);
    }
  }, CLIENT_TEST_TIMEOUT_MS);
});
