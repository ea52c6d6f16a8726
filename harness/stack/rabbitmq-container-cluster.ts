import { join } from 'node:path';
import { GenericContainer } from 'testcontainers';
import { freePort } from './free-port.ts';
import { startOwnedContainer } from './owned-container.ts';
import { clusterPlan, clusterQueries, MAX_BROKER_NODES, startMembers, waitForPort, type StartedRabbitCluster } from './rabbitmq-cluster.ts';
import { containerAsClusterNode, startRabbitContainer, type StartedRabbitContainer } from './rabbitmq-container.ts';
import { BrokerStartError } from './rabbitmq-node.ts';
import type { ClusterNode } from './stack.ts';

export interface RabbitContainerClusterOptions {
  image: string;
  nodes: number;
  /** Each member's own `connection_max` (a per-node limit, as on a real cluster). */
  connectionMax?: number;
  /** Each member's output goes to broker-<i>.log here. */
  logDir?: string;
  log?: (line: string) => void;
}

export interface StartedRabbitContainerCluster
  extends Pick<StartedRabbitCluster, 'credentials' | 'connectionMax' | 'stopNode' | 'startNode' | 'killNode' | 'connectionsPerNode' | 'runningNodes' | 'stop'> {
  /** The members, the seed the others joined first. */
  members: StartedRabbitContainer[];
  nodes(): ClusterNode[];
  /** The cluster's Erlang cookie: a secret like the password. */
  cookie: string;
}

/**
 * N containers of the one broker image as one cluster, on the host's network like the single broker
 * container, joined as the local cluster joins (rabbitmq-cluster.ts): one cookie, classic-config peer
 * discovery to the first member, booting one after the other, pause_minority from 3 nodes. Every member has its
 * own free ports and node name. All names are @localhost, so they share one epmd: a container of the same
 * image running only epmd, owned like the members, so stopping any member never takes the others' name
 * service with it. Every container goes on stop() and on every exit path (owned-container.ts).
 */
export async function startRabbitContainerCluster(opts: RabbitContainerClusterOptions): Promise<StartedRabbitContainerCluster> {
  if (!Number.isInteger(opts.nodes) || opts.nodes < 2 || opts.nodes > MAX_BROKER_NODES) {
    throw new BrokerStartError(`a container cluster has 2 to ${MAX_BROKER_NODES} nodes, not ${opts.nodes}`);
  }
  const plan = clusterPlan(opts.nodes);
  const { id, username, password, cookie } = plan;
  const epmdPort = await freePort();

  const epmd = await startOwnedContainer({
    what: `epmd of container cluster ${id}`,
    name: `rushgate-epmd-${id}`,
    builder: new GenericContainer(opts.image).withNetworkMode('host').withCommand(['epmd', '-port', String(epmdPort), '-address', '127.0.0.1']),
  });
  // Every member must find this epmd listening, or its erl starts a daemon of its own inside its container.
  await waitForPort(epmdPort, 30_000).catch(async (err: Error) => {
    await epmd.stop();
    throw new BrokerStartError(`the container cluster's epmd did not listen: ${err.message}\n${epmd.tail(10)}`);
  });

  const { members, member, stop } = await startMembers(plan, epmdPort, () => epmd.stop(), (membership, i) =>
    startRabbitContainer({
      image: opts.image,
      connectionMax: opts.connectionMax,
      logFile: opts.logDir ? join(opts.logDir, `broker-${i + 1}.log`) : undefined,
      log: opts.log,
      member: membership,
    }),
  );
  const credentials = { username, password };
  return {
    members,
    nodes: () => members.map(containerAsClusterNode),
    credentials,
    cookie,
    connectionMax: opts.connectionMax,
    stopNode: (name) => member(name).halt('orderly'),
    killNode: (name) => member(name).halt('kill'),
    startNode: (name) => member(name).resume(),
    ...clusterQueries({ members, credentials }),
    stop,
  };
}
