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

const LEAK = /kept rising with requests served.*leak/;

/** Growth names the leak (or that no bound was shown, and why); residue says what was left open. */
function expectLeakOf(run: LadderRun & { scenario: string }, resource: 'connections' | 'channels'): void {
  // A compressed run (8 s) may end before a rise at a load already served is seen: stopped early by
  // abort-on-fail, or when the service starved and its rises came with new highs of the load or of its
  // requests in flight (CI: pika beside other files, p99 0.8 s, every rise of its leak on eu-morning's ramp).
  // A pool that fills with load would look the same there, so the gate may only say "not shown to be
  // bounded", with its numbers; ceiling and residue still fail. expectLeakNamed asks for the word where the numbers show it.
  expectFailedOn(run, `${resource}.growth`, new RegExp(`${LEAK.source}|not shown to be bounded: each rise came with a new high of the load|not shown to be bounded.*still rising when the load ended`));
  expectFailedOn(run, `${resource}.residue`, /still at .* left open/);
}
/**
 * The growth rule names the leak in every run whose numbers leave no room for a pool: more connections
 * than requests were ever in flight at once (a pool opens one only when all it holds are busy), and in
 * one run of the target's six at least. A service starved to hundreds of requests in flight holds fewer
 * connections than that (CI: 153 with 396 in flight, in a run aborted after 512 requests): there a leak
 * and a pool filling with that concurrency look the same, and the gate says "not shown to be bounded".
 */
function expectLeakNamed(runs: LadderRun[]): void {
  const messages = runs.map((r) => r.rule('connections.growth').message).join('\n');
  for (const run of runs) {
    const { peakConnections, baselineConnections } = run.record.summary.broker;
    const inFlight = Math.max(0, ...run.record.load.map((s) => s.inFlightMax ?? 0));
    // A margin over the gate's own allowance of 1: the summary's peak is a reading, the gate's a held level.
    if (peakConnections - baselineConnections > inFlight + 10) expect(run.rule('connections.growth').message, `${inFlight} in flight at most\n${run.lines}`).toMatch(LEAK);
  }
  expect(runs.filter((r) => LEAK.test(r.rule('connections.growth').message)).length, messages).toBeGreaterThanOrEqual(1);
}

describe('leaky twins on real client libraries', () => {
  const brokers = brokerPerScenario();
  buildNodeClients(['connection-per-request', 'connection-manager-channel-per-request']);

  it('rabbitmq-client with a new connection per request fails step-ladder and eu-morning on connections, 3 times in a row', async () => {
    const runs = await runBothScenarios(brokers, { label: 'connection-per-request', command: nodeClient('connection-per-request'), abortOnFail: true, expectPassed: false });
    expectLeakNamed(runs);
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
    expectLeakNamed(runs);
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
