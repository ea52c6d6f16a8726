// Pure pieces of the cluster feature: the service's node choice and cluster configuration, and the
// --broker-nodes checks made before anything starts.
import { describe, expect, it } from 'vitest';
import { validateRunArgs, validateRunPlan } from '../../harness/commands/validate-run-options.ts';
import { UsageError } from '../../harness/errors.ts';
import { createNodeChoice } from '../../service/amqp/node-choice.ts';
import { ConfigError, loadConfig } from '../../service/config.ts';
import { BUILT_IN_SCENARIOS, defineScenario } from '../../scenarios/index.ts';
import { resolveSchedule } from '../../scenarios/schedule.ts';

const URLS = ['amqp://u:p@127.0.0.1:1001', 'amqp://u:p@127.0.0.1:1002', 'amqp://u:p@127.0.0.1:1003'];

describe('node choice', () => {
  it('starts on a random node and fails over to the next, wrapping around', () => {
    const nodes = createNodeChoice(URLS, () => 0.5);
    expect(nodes.current()).toBe(URLS[1]);
    nodes.failover();
    expect(nodes.current()).toBe(URLS[2]);
    nodes.failover();
    expect(nodes.current()).toBe(URLS[0]);
  });

  it('spreads units over the nodes', () => {
    const seen = new Set(Array.from({ length: 60 }, () => createNodeChoice(URLS).current()));
    expect(seen.size).toBe(3);
  });
});

describe('service on a cluster', () => {
  it('reads AMQP_URLS and makes its work queue a quorum queue', () => {
    const config = loadConfig([], { PORT: '0', AMQP_URL: URLS[0], AMQP_URLS: URLS.join(',') });
    expect(config.amqpUrls).toEqual(URLS);
    expect(config.amqpUrl).toBe(URLS[0]);
    expect(config.queueType).toBe('quorum');
  });

  it('keeps a classic queue on one node, and takes ITEMS_QUEUE_TYPE when given', () => {
    expect(loadConfig([], { PORT: '0', AMQP_URL: URLS[0] })).toMatchObject({ amqpUrls: [URLS[0]], queueType: 'classic' });
    expect(loadConfig([], { PORT: '0', AMQP_URLS: URLS.join(','), ITEMS_QUEUE_TYPE: 'classic' })).toMatchObject({ amqpUrl: URLS[0], queueType: 'classic' });
  });

  it('refuses a bad entry without echoing it', () => {
    let err: unknown;
    try {
      loadConfig([], { PORT: '0', AMQP_URLS: `${URLS[0]},http://secret@x` });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/AMQP_URLS entry 2/);
    expect((err as ConfigError).message).not.toContain('secret');
  });
});

describe('--broker-nodes', () => {
  const usage = (f: () => unknown): string => {
    try {
      f();
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      return (err as Error).message;
    }
    throw new Error('no usage error');
  };

  it.each([0, 6, 2.5, 'three'])('refuses %s', (n) => {
    expect(usage(() => validateRunArgs({ units: 2, 'broker-nodes': n }))).toMatch(/--broker-nodes must be a whole number from 1 to 5/);
  });

  it('refuses it with --stack external, and takes it on the local and container stacks', () => {
    expect(usage(() => validateRunArgs({ units: 2, 'broker-nodes': 3, stack: 'external' }))).toMatch(/--broker-nodes starts a cluster/);
    const schedule = resolveSchedule(BUILT_IN_SCENARIOS['eu-morning']!, { durationSec: 10 });
    expect(usage(() => validateRunPlan(schedule, 'external', { brokerNodes: 3 }))).toMatch(/needs --stack local or testcontainers/);
    expect(() => validateRunPlan(schedule, 'testcontainers', { brokerNodes: 3 })).not.toThrow();
    expect(() => validateRunPlan(schedule, 'local', { brokerNodes: 3 })).not.toThrow();
    expect(() => validateRunArgs({ units: 2, 'broker-nodes': 3, stack: 'local' })).not.toThrow();
    expect(() => validateRunArgs({ units: 2, 'broker-nodes': 3, stack: 'testcontainers' })).not.toThrow();
  });

  it('node faults run on a container cluster, and are refused on one container before anything starts', () => {
    const nodeKill = defineScenario({
      name: 'node-kill',
      description: 'a node killed',
      timeline: 'eu-morning',
      defaultDurationSec: 10,
      peakRps: 10,
      seed: 1,
      mix: { 'item-put': { weight: 1 } },
      chaos: [{ at: '07:47', fault: 'node-kill' }],
    });
    const schedule = resolveSchedule(nodeKill, {});
    expect(() => validateRunPlan(schedule, 'testcontainers', { brokerNodes: 3 })).not.toThrow();
    expect(usage(() => validateRunPlan(schedule, 'testcontainers', { brokerNodes: 1 }))).toMatch(/node-kill .* needs cluster.*add --broker-nodes 3\.$/);
  });
});
