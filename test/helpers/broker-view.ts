import type { StartedRabbitNode } from '../../harness/stack/rabbitmq-node.ts';

// What the broker itself says about connections, for integration tests: the Prometheus gauge (changes
// show within ~15 ms) and the management API's list (names, slower).

export async function brokerConnections(node: StartedRabbitNode): Promise<number> {
  const text = await (await fetch(`${node.prometheusUrl}/metrics`)).text();
  const match = /^rabbitmq_connections (\d+)/m.exec(text);
  if (!match) throw new Error(`rabbitmq_connections not found at ${node.prometheusUrl}/metrics`);
  return Number(match[1]);
}

export async function management(node: StartedRabbitNode, path: string, init: RequestInit = {}): Promise<Response> {
  const { username, password } = node.credentials;
  return fetch(`${node.managementUrl}${path}`, {
    ...init,
    headers: { ...(init.headers as Record<string, string>), authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
  });
}

export interface BrokerConnection {
  name: string;
  connectionName: string | undefined;
}

export async function connectionList(node: StartedRabbitNode): Promise<BrokerConnection[]> {
  const res = await management(node, '/api/connections');
  const list = (await res.json()) as Array<{ name: string; client_properties?: { connection_name?: string } }>;
  return list.map((c) => ({ name: c.name, connectionName: c.client_properties?.connection_name }));
}

export async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, intervalMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  let value = await probe();
  while (!done(value) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, intervalMs));
    value = await probe();
  }
  return value;
}
