// The gate on a real broker with the step ladder and the reference service: the incident's publisher
// (leaky) and the connection-per-request one fail, the fixed one (shared) passes. Then abort-on-fail:
// the leaky verdict arrives within 15 s of load start and the load stops early.
import { describe, expect, it } from 'vitest';
import { failedRules, runLadder, sharedBroker } from './run-helpers.ts';

describe('step ladder on the reference service', () => {
  const broker = sharedBroker();

  it('leaky fails: connections pile up, grow with requests and stay open', async () => {
    const { rule, lines, record } = await runLadder({ broker: broker(), publisher: 'leaky', peakRps: 100 });
    console.log(`leaky:\n${lines}`);
    expect(record.verdict.passed, lines).toBe(false);
    for (const name of ['connections.ceiling', 'connections.growth', 'connections.residue']) expect(rule(name).passed, `${name}\n${lines}`).toBe(false);
    // Every request leaked one: the residue is at least most of the requests sent.
    expect(Number(rule('connections.residue').value.replace(/,/g, ''))).toBeGreaterThan(record.summary.requests * 0.5);
    // Leaked connections are not churn: they were opened and never closed. On a loaded machine a few
    // opens time out in their handshake and are closed (those requests get a 500), so the rule may
    // fail on them; counting the leaks would put it near 1,000 per 1,000 requests.
    const churnPer1000 = Number(rule('connections.churn').value.split('/')[0]!.replace(/,/g, ''));
    expect(churnPer1000, lines).toBeLessThan(100);
  });

  it('per-request fails on churn: a connection opened and closed for every call, none left behind', async () => {
    const { rule, lines, record } = await runLadder({ broker: broker(), publisher: 'per-request' });
    console.log(`per-request:\n${lines}`);
    expect(record.verdict.passed, lines).toBe(false);
    expect(rule('connections.churn').passed, lines).toBe(false);
    expect(rule('connections.churn').message).toMatch(/per request instead of reusing/);
    expect(rule('connections.residue').passed, lines).toBe(true);
  });

  it('shared passes every rule', async () => {
    const { lines, record } = await runLadder({ broker: broker(), publisher: 'shared' });
    console.log(`shared:\n${lines}`);
    expect(failedRules(record), lines).toEqual([]);
    expect(record.summary.requests).toBeGreaterThan(500);
    expect(record.summary.broker.peakConnections).toBe(record.summary.broker.baselineConnections);
  });

  it('abort-on-fail: the leaky verdict arrives within 15 s of load start and the load stops early', async () => {
    const { record, lines, log } = await runLadder({ broker: broker(), publisher: 'leaky', peakRps: 100, durationSec: 40, abortOnFail: true, cooldownSec: 2 });
    console.log(`leaky, abort-on-fail:\n${lines}`);
    const aborted = record.verdict.aborted;
    expect(aborted, `${lines}\n${log.join('\n')}`).toBeDefined();
    expect(aborted!.rule).toBe('connections.ceiling');
    expect(aborted!.t).toBeLessThanOrEqual(15);
    const lastLoadSecond = Math.max(...record.load.map((s) => s.t));
    // The load stopped at the abort (its last second is the one that triggered it, give or take one
    // in flight), far before the 40 s schedule would have ended.
    expect(lastLoadSecond).toBeLessThanOrEqual(aborted!.t + 1);
    expect(record.summary.durationSec).toBeLessThan(record.scenario.wallDurationSec - 20);
    expect(record.events.some((e) => e.kind === 'abort')).toBe(true);
    expect(record.verdict.passed).toBe(false);
  });
});
