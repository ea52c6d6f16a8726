import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { startOwnedProcess } from '../lifecycle/owned-process.ts';
import { isHarnessConnection } from '../probe/management-api.ts';
import { freePort } from './free-port.ts';
import { BrokerStartError, EPMD, rabbitmqInstalled, RABBITMQ_SBIN, startRabbitNode, type ClusterMembership, type StartedRabbitNode } from './rabbitmq-node.ts';
import type { ClusterNode } from './stack.ts';

export const MAX_BROKER_NODES = 5;

export interface RabbitClusterOptions {
  nodes: number;
  /** Each member's own `connection_max` (a per-node limit, as on a real cluster). */
  connectionMax?: number;
  log?: (line: string) => void;
}

export interface StartedRabbitCluster {
  /** The members, first (the seed the others joined) first. */
  members: StartedRabbitNode[];
  /** The members as the stack exposes them; `pid` is the current leader PID of a running member. */
  nodes(): ClusterNode[];
  credentials: { username: string; password: string };
  connectionMax?: number;
  /** Orderly stop of one member (SIGTERM, its clean shutdown); data dir and ports are kept. */
  stopNode(name: string): Promise<void>;
  /** Starts a stopped or killed member again on its ports and data dir; it rejoins the cluster. */
  startNode(name: string): Promise<void>;
  /** SIGKILL to the member's process group (its beam.smp and children, all ours), as a crash would. */
  killNode(name: string): Promise<void>;
  /** The target's connections per member (the harness's own left out), from the management API's list (field `node`). */
  connectionsPerNode(): Promise<Map<string, number>>;
  /** Erlang node names of the running members, as one of them sees its cluster. */
  runningNodes(): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * Starts N private RabbitMQ nodes as one cluster on loopback: one shared Erlang cookie, one private epmd
 * for all members, free ports and a data dir per member. The members boot one after the other, each joining
 * the first through classic-config peer discovery (no rabbitmqctl VM boots). Everything goes on stop() or
 * on any exit of the harness.
 */
export async function startRabbitCluster(opts: RabbitClusterOptions): Promise<StartedRabbitCluster> {
  if (!Number.isInteger(opts.nodes) || opts.nodes < 1 || opts.nodes > MAX_BROKER_NODES) {
    throw new BrokerStartError(`a cluster has 1 to ${MAX_BROKER_NODES} nodes, not ${opts.nodes}`);
  }
  if (!rabbitmqInstalled()) {
    throw new BrokerStartError(`rabbitmq-server is not installed (looked for ${RABBITMQ_SBIN}/rabbitmq-server).`);
  }
  const plan = clusterPlan(opts.nodes);
  const { id, username, password } = plan;
  const epmdPort = await freePort();
  const epmd = startOwnedProcess({
    name: `epmd for cluster ${id}`,
    command: EPMD,
    args: ['-port', String(epmdPort), '-address', '127.0.0.1'],
    graceMs: 1_000,
  });
  // Every member must find this epmd listening, or erl starts a daemon of its own that we would not own.
  await waitForPort(epmdPort, 5_000).catch(async (err: Error) => {
    await epmd.stop();
    throw new BrokerStartError(`the cluster's epmd did not listen: ${err.message}`);
  });

  const { members, member, stop } = await startMembers(plan, epmdPort, () => epmd.stop(), (membership) =>
    startRabbitNode({ connectionMax: opts.connectionMax, log: opts.log, member: membership }),
  );
  const cluster: StartedRabbitCluster = {
    members,
    nodes: () => members.map(asClusterNode),
    credentials: { username, password },
    connectionMax: opts.connectionMax,
    stopNode: (name) => member(name).halt('orderly'),
    killNode: (name) => member(name).halt('kill'),
    startNode: (name) => member(name).resume(),
    ...clusterQueries({ members, credentials: { username, password } }),
    stop,
  };
  return cluster;
}

/** A cluster's identity, chosen before any member starts: node names, one cookie, one user. */
export interface ClusterPlan {
  id: string;
  names: string[];
  cookie: string;
  username: string;
  password: string;
}

export function clusterPlan(nodes: number): ClusterPlan {
  const id = randomBytes(3).toString('hex');
  return {
    id,
    names: Array.from({ length: nodes }, (_, i) => `rushgate-${id}-${i + 1}@localhost`),
    cookie: randomBytes(16).toString('hex'),
    username: 'rushgate',
    password: randomBytes(12).toString('base64url'),
  };
}

/**
 * Starts the members one after the other, the first on its own and the others joining it (classic-config
 * peer discovery), with pause_minority from 3 nodes. Not at once: a member that joins while the first is
 * still enabling its feature flags copies tables in their new form while it reads the flags as disabled,
 * and refuses to boot (`schema_integrity_check_failed ... table_attributes_mismatch rabbit_user`, seen in
 * CI); RabbitMQ's cluster operator came to the same rule (one node initialising at a time). If a member
 * fails, the ones that started and the shared epmd are stopped and its error is thrown.
 */
export async function startMembers<M extends { nodeName: string; stop(): Promise<void> }>(
  plan: ClusterPlan,
  epmdPort: number,
  stopEpmd: () => Promise<void>,
  start: (membership: ClusterMembership, index: number) => Promise<M>,
): Promise<{ members: M[]; member(name: string): M; stop(): Promise<void> }> {
  const { names, cookie, username, password } = plan;
  const members: M[] = [];
  const stop = async () => {
    await Promise.all(members.map((m) => m.stop()));
    await stopEpmd();
  };
  for (const [i, nodeName] of names.entries()) {
    const membership: ClusterMembership = {
      nodeName,
      cookie,
      epmdPort,
      username,
      password,
      seeds: i === 0 ? [] : [names[0] as string],
      partitionHandling: names.length >= 3 ? 'pause_minority' : undefined,
    };
    try {
      members.push(await start(membership, i));
    } catch (err) {
      await stop();
      throw err;
    }
  }
  const member = (name: string): M => {
    const found = members.find((m) => m.nodeName === name);
    if (!found) throw new BrokerStartError(`no cluster member named ${name} (members: ${names.join(', ')})`);
    return found;
  };
  return { members, member, stop };
}

/** A node as a stack exposes it; `pid` is its current group leader. */
export function asClusterNode(m: StartedRabbitNode): ClusterNode {
  return { name: m.nodeName, amqpUrl: m.amqpUrl, managementUrl: m.managementUrl, prometheusUrl: m.prometheusUrl, pid: m.pid() };
}

/** What the management queries need of a cluster: its members (any running one answers for all) and credentials. */
export interface ManagedCluster {
  members: ReadonlyArray<{ nodeName: string; managementUrl: string; running(): boolean }>;
  credentials: { username: string; password: string };
}

/** The per-node questions node faults and tests ask, through the management API of any running member. */
export function clusterQueries(cluster: ManagedCluster): Pick<StartedRabbitCluster, 'connectionsPerNode' | 'runningNodes'> {
  return {
    connectionsPerNode: async () => {
      const list = await managementGet<Array<{ node: string; client_properties?: { connection_name?: string } }>>(
        cluster,
        '/api/connections?columns=node,client_properties.connection_name',
      );
      const counts = new Map<string, number>(cluster.members.map((m) => [m.nodeName, 0]));
      for (const c of list) {
        if (!isHarnessConnection({ connectionName: c.client_properties?.connection_name })) counts.set(c.node, (counts.get(c.node) ?? 0) + 1);
      }
      return counts;
    },
    runningNodes: async () => {
      const list = await managementGet<Array<{ name: string; running: boolean }>>(cluster, '/api/nodes?columns=name,running');
      return list.filter((n) => n.running).map((n) => n.name);
    },
  };
}

/** GET on the management API of the first running member (any member answers for the whole cluster). */
async function managementGet<T>(cluster: ManagedCluster, path: string): Promise<T> {
  const { username, password } = cluster.credentials;
  const headers = { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
  let last: unknown;
  for (const m of cluster.members.filter((x) => x.running())) {
    try {
      const res = await fetch(`${m.managementUrl}${path}`, { headers, signal: AbortSignal.timeout(5_000) });
      if (res.ok) return (await res.json()) as T;
      last = new Error(`HTTP ${res.status} from ${m.nodeName}`);
    } catch (err) {
      last = err;
    }
  }
  throw new BrokerStartError(`no cluster member answered ${path}: ${(last as Error | undefined)?.message ?? 'none is running'}`);
}

export function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve()));
      socket.once('error', (err) => {
        socket.destroy();
        if (Date.now() > deadline) reject(err);
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}
