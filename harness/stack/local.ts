import { join } from 'node:path';
import { startRabbitNode } from './rabbitmq-node.ts';
import type { StackRequest, StartedStack } from './stack.ts';
import { startTarget } from './target-process.ts';

/** Broker from the host's rabbitmq-server and the target as a local process. */
export async function startLocalStack(req: StackRequest): Promise<StartedStack> {
  const node = await startRabbitNode({ connectionMax: req.connectionMax });
  const secrets = [node.credentials.password];
  try {
    const target = await startTarget({
      amqpUrl: node.amqpUrl,
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
      targetTail: () => target.tail(),
      stop: async () => {
        await target.stop();
        await node.stop();
      },
    };
  } catch (err) {
    await node.stop();
    throw err;
  }
}
