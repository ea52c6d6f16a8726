import { redactUrl } from '../redact.ts';
import { StackError, type StackRequest, type StartedStack } from './stack.ts';

/** Pieces somebody else started (docker compose, a staging broker): rushgate observes and stops nothing. */
export async function useExternalStack(req: StackRequest): Promise<StartedStack> {
  const ext = req.external;
  if (!ext) throw new StackError('--stack external needs --amqp-url, --management-url, --prometheus-url and --target-url.');
  const mgmt = new URL(ext.managementUrl);
  const username = decodeURIComponent(mgmt.username || 'guest');
  const password = decodeURIComponent(mgmt.password || 'guest');
  mgmt.username = '';
  mgmt.password = '';
  const amqpPassword = decodeURIComponent(new URL(ext.amqpUrl).password);
  return {
    kind: 'external',
    amqpUrl: ext.amqpUrl,
    managementUrl: mgmt.toString().replace(/\/$/, ''),
    prometheusUrl: ext.prometheusUrl.replace(/\/$/, ''),
    targetUrl: ext.targetUrl.replace(/\/$/, ''),
    managementAuth: { username, password },
    targetDescription: `external target at ${redactUrl(ext.targetUrl)}`,
    secrets: [password, amqpPassword].filter((s) => s.length > 0),
    // rushgate owns nothing here, but a caller that holds the broker's rabbitmqctl may lend it to faults.
    ...(ext.brokerCtl ? { brokerCtl: ext.brokerCtl } : {}),
    targetTail: () => '',
    stop: async () => {},
  };
}
