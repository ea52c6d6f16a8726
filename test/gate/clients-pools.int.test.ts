// Issue 11: services built on real client libraries with bounded, lazily filled channel pools must pass
// the gate on both built-in scenarios, run after run. Targets in test/targets/clients/.
import { describe, expect, it } from 'vitest';
import { brokerForBoth, buildNodeClients, CLIENT_TEST_TIMEOUT_MS, expectEveryRunHealthy, LAZY_POOL_LADDER_SEC, nodeClient, runBothScenarios } from './client-runs.ts';

describe('healthy channel pools on real client libraries', () => {
  const brokers = brokerForBoth();
  buildNodeClients(['rascal-pool', 'spring-cache', 'connection-manager']);

  it('rascal, one connection per unit and a lazy pool of up to 5 confirm channels, passes step-ladder and eu-morning 3 times in a row', async () => {
    const runs = await runBothScenarios(brokers, { label: 'rascal', command: nodeClient('rascal-pool'), units: 2, ladderSec: LAZY_POOL_LADDER_SEC, expectPassed: true });
    expectEveryRunHealthy(runs, (b, why) => {
      expect(b.peakConnections, why).toBe(2);
      // The pool really filled past one channel per connection, and never past rascal's 5 per connection.
      expect(b.peakChannels, why).toBeGreaterThan(2);
      expect(b.peakChannels, why).toBeLessThanOrEqual(10);
    });
  }, CLIENT_TEST_TIMEOUT_MS);

  it('a Spring-like cache of 25 channels on amqplib passes step-ladder and eu-morning 3 times in a row', async () => {
    // Each call holds its channel 250 ms (the work inside the template's scope): from 100 req/s on the
    // cache is full and callers wait for a channel, so the 25 is reached early in both scenarios.
    const command = nodeClient('spring-cache', { CHANNEL_HOLD_MS: '250' });
    const runs = await runBothScenarios(brokers, { label: 'spring-cache', command, expectPassed: true });
    expectEveryRunHealthy(runs, (b, why) => {
      expect(b.peakConnections, why).toBe(1);
      expect(b.peakChannels, why).toBe(25);
    });
  }, CLIENT_TEST_TIMEOUT_MS);

  it('amqp-connection-manager with one manager and one ChannelWrapper per unit passes step-ladder and eu-morning 3 times in a row', async () => {
    const runs = await runBothScenarios(brokers, { label: 'connection-manager', command: nodeClient('connection-manager'), expectPassed: true });
    expectEveryRunHealthy(runs, (b, why) => expect([b.peakConnections, b.peakChannels], why).toEqual([1, 1]));
  }, CLIENT_TEST_TIMEOUT_MS);
});
