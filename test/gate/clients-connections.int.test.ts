// Issue 11: services with one or two long-lived connections per unit, on rabbitmq-client (publisher +
// consumer, RabbitMQ's recommendation; exchange declared on first publish) and on Debian's python3-pika
// (one process whatever UNITS says), must pass the gate on both built-in scenarios, run after run.
import { describe, expect, it } from 'vitest';
import { healthyProblems, nodeClient, pikaClient, runInARow, SCENARIOS } from './client-runs.ts';
import { sharedBroker } from './run-helpers.ts';

describe('healthy long-lived connections on real client libraries', () => {
  const broker = sharedBroker();

  it.each(SCENARIOS)('rabbitmq-client, a publishing and a consuming connection per unit, passes %s 3 times in a row', async (scenario) => {
    const runs = await runInARow({ broker: broker(), label: 'publisher-consumer', command: nodeClient('publisher-consumer'), scenario, units: 2, expectPassed: true });
    for (const run of runs) {
      expect(healthyProblems(run), run.lines).toEqual([]);
      const b = run.record.summary.broker;
      // Both connections of both units were open before the load, and the load added none.
      expect(b.baselineConnections, run.lines).toBe(4);
      expect(b.peakConnections, run.lines).toBe(4);
    }
  });

  it.each(SCENARIOS)('python3-pika, one connection owned by a publishing thread, passes %s 3 times in a row', async (scenario) => {
    // Declared as 2 units; the service ignores UNITS and runs one process with one connection.
    const runs = await runInARow({ broker: broker(), label: 'pika', command: pikaClient(), scenario, units: 2, expectPassed: true });
    for (const run of runs) {
      expect(healthyProblems(run), run.lines).toEqual([]);
      expect(run.record.summary.broker.peakConnections, run.lines).toBe(1);
      expect(run.record.summary.status['202'], run.lines).toBe(run.record.summary.requests);
    }
  });
});
