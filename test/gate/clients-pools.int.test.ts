// Issue 11: services built on real client libraries with bounded, lazily filled channel pools must pass
// the gate on both built-in scenarios, run after run. Targets in test/targets/clients/.
import { describe, expect, it } from 'vitest';
import { healthyProblems, nodeClient, runInARow, SCENARIOS } from './client-runs.ts';
import { sharedBroker } from './run-helpers.ts';

describe('healthy channel pools on real client libraries', () => {
  const broker = sharedBroker();

  it.each(SCENARIOS)('rascal, one connection per unit and a lazy pool of up to 5 confirm channels, passes %s 3 times in a row', async (scenario) => {
    const runs = await runInARow({ broker: broker(), label: 'rascal', command: nodeClient('rascal-pool'), scenario, units: 2, expectPassed: true });
    for (const run of runs) {
      expect(healthyProblems(run), run.lines).toEqual([]);
      const b = run.record.summary.broker;
      expect(b.peakConnections, run.lines).toBe(2);
      // The pool really filled past one channel per connection, and never past rascal's 5 per connection.
      expect(b.peakChannels, run.lines).toBeGreaterThan(2);
      expect(b.peakChannels, run.lines).toBeLessThanOrEqual(10);
    }
  });

  it.each(SCENARIOS)('a Spring-like cache of 25 channels on amqplib passes %s 3 times in a row', async (scenario) => {
    const command = nodeClient('spring-cache', { CHANNEL_HOLD_MS: '150' });
    const runs = await runInARow({ broker: broker(), label: 'spring-cache', command, scenario, expectPassed: true });
    for (const run of runs) {
      expect(healthyProblems(run), run.lines).toEqual([]);
      const b = run.record.summary.broker;
      expect(b.peakConnections, run.lines).toBe(1);
      expect(b.peakChannels, run.lines).toBeGreaterThan(5);
      expect(b.peakChannels, run.lines).toBeLessThanOrEqual(25);
    }
  });

  it.each(SCENARIOS)('amqp-connection-manager with one manager and one ChannelWrapper per unit passes %s 3 times in a row', async (scenario) => {
    const runs = await runInARow({ broker: broker(), label: 'connection-manager', command: nodeClient('connection-manager'), scenario, expectPassed: true });
    for (const run of runs) {
      expect(healthyProblems(run), run.lines).toEqual([]);
      expect(run.record.summary.broker.peakConnections, run.lines).toBe(1);
      expect(run.record.summary.broker.peakChannels, run.lines).toBe(1);
    }
  });
});
