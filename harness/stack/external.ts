import { redactUrl } from '../redact.ts';
import { waitForHttp } from './readiness.ts';
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
  // Every password in every URL, as written and decoded: any of them may turn up in an error or a log.
  const passwords = [ext.amqpUrl, ext.managementUrl, ext.prometheusUrl, ...(ext.prometheusUrls ?? []), ext.targetUrl].flatMap((u) => {
    const raw = new URL(u).password;
    return [raw, decodeURIComponent(raw)];
  });
  const managementUrl = mgmt.toString().replace(/\/$/, '');
  // fetch() refuses URLs with credentials; these two are read without any (the load driver never sent them).
  const prometheusUrl = withoutCredentials(ext.prometheusUrl);
  const targetUrl = withoutCredentials(ext.targetUrl);
  await preflight([
    { what: 'the target', url: `${targetUrl}${req.target.healthPath ?? '/healthz'}` },
    { what: 'the Prometheus endpoint', url: `${prometheusUrl}/metrics` },
    {
      what: 'the management API',
      url: `${managementUrl}/api/overview`,
      headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
    },
  ]);
  return {
    kind: 'external',
    amqpUrl: ext.amqpUrl,
    managementUrl,
    prometheusUrl,
    targetUrl,
    managementAuth: { username, password },
    targetDescription: 'external target',
    secrets: [...new Set([password, ...passwords])].filter((s) => s.length > 0),
    // rushgate owns nothing here, but a caller that holds the broker's rabbitmqctl or control channel may lend them to faults.
    ...(ext.brokerCtl ? { brokerCtl: ext.brokerCtl } : {}),
    ...(ext.brokerErl ? { brokerErl: ext.brokerErl } : {}),
    targetTail: () => '',
    stop: async () => {},
  };
}

/**
 * Pieces someone else runs must answer before any load is sent: a target or endpoint that is not there
 * means the run cannot happen (exit 3), not that the gate failed with every rule unjudged.
 */
async function preflight(checks: Array<{ what: string; url: string; headers?: Record<string, string> }>): Promise<void> {
  await Promise.all(
    checks.map(async ({ what, url, headers }) => {
      try {
        await waitForHttp({ what, url, headers, timeoutMs: 5_000, intervalMs: 250, displayUrl: redactUrl(url) });
      } catch (err) {
        throw new StackError(`--stack external: ${(err as Error).message}`);
      }
    }),
  );
}

function withoutCredentials(text: string): string {
  const url = new URL(text);
  url.username = '';
  url.password = '';
  return url.toString().replace(/\/$/, '');
}
