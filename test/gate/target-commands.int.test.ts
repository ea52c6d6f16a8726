// The gate judging services nobody on this team wrote: small targets in test/targets/, started with
// --target-command semantics (PORT, AMQP_URL), each with one connection-handling habit.
import { describe, expect, it } from 'vitest';
import { buildTargets, failedRules, runLadder, targetCommand, sharedBroker } from './run-helpers.ts';

describe('step ladder on from-scratch target commands', () => {
  const broker = sharedBroker();
  buildTargets(['fixed-pool', 'channel-per-request', 'leak-every-n']);

  it('a fixed pool of 4 connections opened at start passes', async () => {
    // A pass needs no long ladder: the pool is open before the load and nothing is added during it.
    const { lines, record } = await runLadder({ broker: broker(), targetCommand: targetCommand('fixed-pool'), durationSec: 8 });
    console.log(`fixed-pool:\n${lines}`);
    expect(record.target.kind).toBe('command');
    expect(failedRules(record), lines).toEqual([]);
    // The pool was open before the load: it is the baseline, and the load added nothing.
    expect(record.summary.broker.baselineConnections).toBe(4);
    expect(record.summary.broker.peakConnections).toBe(4);
    expect(record.summary.status['202']).toBe(record.summary.requests);
  });

  it('one connection with a never-closed channel per request fails on channels, not on connections', async () => {
    const { lines, record, rule } = await runLadder({ broker: broker(), targetCommand: targetCommand('channel-per-request') });
    console.log(`channel-per-request:\n${lines}`);
    const failed = failedRules(record);
    expect(failed.filter((n) => n.startsWith('connections.')), lines).toEqual([]);
    // No per-unit channel ceiling by default (a bounded pool of any size passes): the sanity limit per
    // connection and the model (not bounded, left open) catch it.
    for (const name of ['channels.per-connection', 'channels.growth', 'channels.residue']) expect(failed, lines).toContain(name);
    // One channel per request, all still open after the cool-down.
    expect(Number(rule('channels.residue').value.replace(/,/g, ''))).toBeGreaterThanOrEqual(record.summary.requests);
  });

  it('a connection leaked every 30 requests fails on growth and residue', async () => {
    const { lines, record, rule } = await runLadder({ broker: broker(), targetCommand: targetCommand('leak-every-n') });
    console.log(`leak-every-n:\n${lines}`);
    const failed = failedRules(record);
    for (const name of ['connections.growth', 'connections.residue', 'connections.ceiling']) expect(failed, lines).toContain(name);
    // Growth names the leak, or, when every rise came with a new high of the load or of the requests in
    // flight (CI: 22 connections over 672 requests on the 14 s ladder, requests in flight up to 19 with a
    // p99 of 350 ms), says no bound was shown and why: a pool that fills with concurrency looks the same
    // there. Either way the gate fails, and residue and the count below say what was left open.
    expect(rule('connections.growth').message).toMatch(
      /^Connections kept rising with requests served, also at loads already served|^Connections were not shown to be bounded: each rise came with a new high of the load/,
    );
    expect(rule('connections.residue').message).toMatch(/left open/);
    // About one per 30 requests stayed open.
    const leaked = Number(rule('connections.residue').value) - record.summary.broker.baselineConnections;
    expect(leaked).toBeGreaterThanOrEqual(Math.floor(record.summary.requests / 30) - 1);
    expect(leaked).toBeLessThanOrEqual(Math.ceil(record.summary.requests / 30) + 1);
  });
});
