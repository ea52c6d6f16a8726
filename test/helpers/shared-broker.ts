// A RabbitMQ node for an integration test file, leased from the suite's pool (broker-pool/) instead of
// started: the file has it to itself until its afterAll, then it is reset and lent to the next file.
// Outside a config with the pool (no inject value), the file starts and stops its own node as before.
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { AMQP_LISTENERS } from '../../harness/chaos/faults/connection-squeeze.ts';
import { startRabbitNode, type StartedRabbitNode } from '../../harness/stack/rabbitmq-node.ts';
import type { BrokerPoolAccess, LeasedBrokerInfo } from './broker-pool/protocol.ts';

/** Long enough for a node start on a loaded machine plus a wait for another file to give one back. */
const LEASE_TIMEOUT_MS = 240_000;

/**
 * Leases `count` nodes for the file (beforeAll/afterAll registered here): call it at the top of the file
 * or a describe, before hooks that start services on the nodes, so those stop before the lease ends.
 * The getter throws if the lease failed. `ctl`, `erl`, `halt`, `resume` and `restart` work; a node they touched is not reused.
 */
export function sharedBrokers(count: number): Array<() => StartedRabbitNode> {
  const nodes: StartedRabbitNode[] = [];
  beforeAll(async () => {
    const file = expect.getState().testPath ?? 'a test file';
    const started = await Promise.allSettled(Array.from({ length: count }, () => leaseBroker(file).then((n) => nodes.push(n))));
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }, LEASE_TIMEOUT_MS + 10_000);
  afterAll(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });
  return Array.from({ length: count }, (_, i) => () => {
    const node = nodes[i];
    if (!node) throw new Error('the shared broker was not leased (see the beforeAll error)');
    return node;
  });
}

/** One leased node for the file; see sharedBrokers. */
export function sharedBroker(): () => StartedRabbitNode {
  return sharedBrokers(1)[0]!;
}

/** A node from the pool (or a node of its own outside the pool); stop() gives it back. */
export async function leaseBroker(file = 'a test file'): Promise<StartedRabbitNode> {
  const access = inject('rushgateBrokerPool');
  if (!access) return startRabbitNode();
  const info = (await call(access, '/lease', { file }, LEASE_TIMEOUT_MS)) as LeasedBrokerInfo;
  let released = false;
  let running = true;
  return {
    amqpUrl: info.amqpUrl,
    managementUrl: info.managementUrl,
    prometheusUrl: info.prometheusUrl,
    credentials: info.credentials,
    nodeName: info.nodeName,
    connectionMax: undefined,
    // The node's process lives in the pool (vitest's main process): its PID is not this file's to signal.
    pid: () => undefined,
    running: () => running,
    halt: async (how) => {
      ({ running } = (await call(access, '/halt', { id: info.id, how })) as { running: boolean });
    },
    resume: async () => {
      ({ running } = (await call(access, '/resume', { id: info.id })) as { running: boolean });
    },
    erl: async (node, expr, notBefore) => ((await call(access, '/erl', { id: info.id, node, expr, notBefore })) as { stdout: string }).stdout,
    ctl: async (args) => ((await call(access, '/ctl', { id: info.id, args })) as { stdout: string }).stdout,
    restart: async (downMs) => {
      await call(access, '/restart', { id: info.id, downMs });
    },
    stop: async () => {
      if (released) return;
      released = true;
      await call(access, '/release', { id: info.id });
    },
  };
}

/**
 * Sets the node's connection_max at run time (the AMQP listener's ranch limit, which is what enforces it)
 * and returns the node as one started with it. A restart of the node puts the configured limit back.
 */
export async function limitConnections(node: StartedRabbitNode, max: number): Promise<StartedRabbitNode> {
  const set = await node.erl(undefined, `Rs = ${AMQP_LISTENERS}, [ranch:set_max_connections(R, ${max}) || R <- Rs], length(Rs).`);
  if (Number(set.trim()) < 1) throw new Error(`no AMQP listener to limit on ${node.nodeName} (ranch said ${set.trim()})`);
  return { ...node, connectionMax: max };
}

async function call(access: BrokerPoolAccess, path: string, body: unknown, timeoutMs = 120_000): Promise<unknown> {
  const res = await fetch(`${access.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${access.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const answer = (await res.json()) as { error?: string };
  if (!res.ok) throw new Error(`broker pool ${path}: ${answer.error ?? `HTTP ${res.status}`}`);
  return answer;
}
