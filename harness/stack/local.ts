import { join } from 'node:path';
import { TcpProxy } from '../chaos/proxy/tcp-proxy.ts';
import { startRabbitNode } from './rabbitmq-node.ts';
import { StackError, type StackRequest, type StartedStack } from './stack.ts';
import { startTarget } from './target-process.ts';

/** Broker from the host's rabbitmq-server and the target as a local process. */
export async function startLocalStack(req: StackRequest): Promise<StartedStack> {
  // A broker handed in (several runs on one node, as the incident and the tests do) is not ours to stop.
  const given = req.broker;
  if (given && req.connectionMax !== undefined && given.connectionMax !== req.connectionMax) {
    throw new StackError(`the broker handed to this run has connection_max ${given.connectionMax ?? 'unset'}, not ${req.connectionMax}`);
  }
  const node = given ?? (await startRabbitNode({ connectionMax: req.connectionMax }));
  const stopNode = () => (given ? Promise.resolve() : node.stop());
  const secrets = [node.credentials.password];
  let proxy: TcpProxy | undefined;
  try {
    // The target reaches the broker through the proxy, so network faults land on its path only.
    proxy = req.amqpProxy ? new TcpProxy(brokerAddress(node.amqpUrl)) : undefined;
    const targetAmqpUrl = proxy ? withPort(node.amqpUrl, (await proxy.start()).port) : node.amqpUrl;
    const target = await startTarget({
      amqpUrl: targetAmqpUrl,
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

export function brokerAddress(amqpUrl: string): { host: string; port: number } {
  const url = new URL(amqpUrl);
  return { host: url.hostname, port: Number(url.port || 5672) };
}

export function withPort(amqpUrl: string, port: number): string {
  const url = new URL(amqpUrl);
  url.port = String(port);
  return url.toString().replace(/\/$/, '');
}
