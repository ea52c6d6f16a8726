import { join } from 'node:path';
import { TcpProxy } from '../chaos/proxy/tcp-proxy.ts';
import { asClusterNode, startRabbitCluster, type StartedRabbitCluster } from './rabbitmq-cluster.ts';
import { startRabbitNode } from './rabbitmq-node.ts';
import { StackError, type ClusterControl, type StackRequest, type StartedStack } from './stack.ts';
import { startTarget } from './target-process.ts';

/** Broker from the host's rabbitmq-server and the target as a local process. */
export async function startLocalStack(req: StackRequest): Promise<StartedStack> {
  // A broker handed in (several runs on one node, as the incident and the tests do) is not ours to stop.
  const given = req.broker;
  if (given && req.connectionMax !== undefined && given.connectionMax !== req.connectionMax) {
    throw new StackError(`the broker handed to this run has connection_max ${given.connectionMax ?? 'unset'}, not ${req.connectionMax}`);
  }
  if (given && (req.brokerNodes ?? 1) > 1) throw new StackError('a broker handed to this run is one node; it cannot also be a cluster');
  const givenCluster = req.brokerCluster;
  if (givenCluster && req.connectionMax !== undefined && givenCluster.connectionMax !== req.connectionMax) {
    throw new StackError(`the cluster handed to this run has connection_max ${givenCluster.connectionMax ?? 'unset'} per node, not ${req.connectionMax}`);
  }
  const cluster =
    givenCluster ??
    (!given && (req.brokerNodes ?? 1) > 1 ? await startRabbitCluster({ nodes: req.brokerNodes ?? 1, connectionMax: req.connectionMax }) : undefined);
  const node = given ?? cluster?.members[0] ?? (await startRabbitNode({ connectionMax: req.connectionMax }));
  const stopNode = () => (given || givenCluster ? Promise.resolve() : (cluster ?? node).stop());
  const secrets = [node.credentials.password];
  let proxy: TcpProxy | undefined;
  try {
    // The target reaches the broker through the proxy, so network faults land on its path only (the first node's).
    proxy = req.amqpProxy ? new TcpProxy(brokerAddress(node.amqpUrl)) : undefined;
    const targetAmqpUrl = proxy ? withPort(node.amqpUrl, (await proxy.start()).port) : node.amqpUrl;
    const members = cluster?.members ?? [node];
    const target = await startTarget({
      amqpUrl: targetAmqpUrl,
      amqpUrls: [targetAmqpUrl, ...members.slice(1).map((m) => m.amqpUrl)],
      ...req.target,
      secrets,
      logFile: req.logDir ? join(req.logDir, 'target.log') : undefined,
    });
    return {
      kind: 'local',
      amqpUrl: node.amqpUrl,
      managementUrl: node.managementUrl,
      prometheusUrl: node.prometheusUrl,
      targetUrl: target.url,
      managementAuth: node.credentials,
      connectionMax: node.connectionMax,
      targetDescription: target.description,
      secrets,
      brokerCtl: node.ctl,
      brokerErl: node.erl,
      restartBroker: node.restart,
      nodes: cluster ? cluster.nodes() : [asClusterNode(node)],
      amqpUrls: members.map((m) => m.amqpUrl),
      cluster: cluster ? clusterControl(cluster) : undefined,
      proxy,
      targetPid: target.process.pid,
      targetTail: () => target.tail(),
      stop: async () => {
        await target.stop();
        await proxy?.stop();
        await stopNode();
      },
    };
  } catch (err) {
    await proxy?.stop();
    await stopNode();
    throw err;
  }
}

export function clusterControl(cluster: Pick<StartedRabbitCluster, 'nodes' | 'stopNode' | 'startNode' | 'killNode' | 'connectionsPerNode'>): ClusterControl {
  return {
    // A getter: a restarted member has a new PID.
    get nodes() {
      return cluster.nodes();
    },
    stopNode: cluster.stopNode,
    startNode: cluster.startNode,
    killNode: cluster.killNode,
    connectionsPerNode: cluster.connectionsPerNode,
  };
}

export function brokerAddress(amqpUrl: string): { host: string; port: number } {
  const url = new URL(amqpUrl);
  return { host: url.hostname, port: Number(url.port || 5672) };
}

export function withPort(amqpUrl: string, port: number): string {
  const url = new URL(amqpUrl);
  url.port = String(port);
  return url.toString().replace(/\/$/, '');
}
