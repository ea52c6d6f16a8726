// A small client for the RabbitMQ management HTTP API (basic auth): who holds which connection,
// closing one by name (for chaos faults), and the overview. Listing costs ~260 ms at 1,000 connections,
// so callers poll it at a low rate; counts for the gate come from the Prometheus endpoint instead.
// Credentials live only in the Authorization header: never in URLs, errors or logs.

import { redactText, redactUrl } from '../redact.ts';

/** Connections named with this prefix (client property `connection_name`) belong to the harness. */
export const HARNESS_CONNECTION_PREFIX = 'rushgate-';

export interface ManagementClientOptions {
  /** e.g. http://127.0.0.1:15672 (credentials in the URL are moved to the header). */
  url: string;
  username?: string;
  password?: string;
  timeoutMs?: number;
}

export interface BrokerConnection {
  /** The broker's name for it, e.g. "127.0.0.1:50412 -> 127.0.0.1:5672"; used to close it. */
  name: string;
  peerHost: string;
  peerPort: number;
  /** The client's `connection_name` property, when it set one. */
  connectionName?: string;
  /** When the broker accepted it, ms since the epoch (the broker's clock), when listed. */
  connectedAt?: number;
  channels: number;
  user: string;
  state: string;
  vhost: string;
  /** True for the harness's own connections (connection_name starts with `rushgate-`). */
  harness: boolean;
}

export interface ManagementOverview {
  rabbitmqVersion: string;
  node: string;
  objectTotals: { connections: number; channels: number; queues: number; consumers: number; exchanges: number };
  churnRates: { connectionCreated: number; connectionClosed: number; channelCreated: number; channelClosed: number };
}

export interface ManagementClient {
  listConnections(): Promise<BrokerConnection[]>;
  /** Closes a connection by its broker name; false when it was already gone. */
  closeConnection(name: string, reason?: string): Promise<boolean>;
  overview(): Promise<ManagementOverview>;
  /** The cluster's nodes (`/api/nodes`) with the listeners the running ones report (`/api/overview`). */
  clusterNodes(): Promise<ClusterMember[]>;
}

export interface ClusterMember {
  name: string;
  running: boolean;
  /** Listeners by protocol (`amqp`, `http`, `http/prometheus`, ...): the address bound (undefined = every interface) and port. */
  listeners: Array<{ protocol: string; ip?: string; port: number }>;
}

export class ManagementApiError extends Error {
  override name = 'ManagementApiError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export function isHarnessConnection(c: { connectionName?: string }): boolean {
  return c.connectionName?.startsWith(HARNESS_CONNECTION_PREFIX) ?? false;
}

const CONNECTION_COLUMNS = ['name', 'peer_host', 'peer_port', 'client_properties.connection_name', 'channels', 'user', 'state', 'vhost', 'connected_at'];

export function createManagementClient(opts: ManagementClientOptions): ManagementClient {
  const parsed = new URL(opts.url);
  const username = opts.username ?? decodeURIComponent(parsed.username);
  const password = opts.password ?? decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  const base = parsed.toString().replace(/\/+$/, '');
  const secrets = [password, Buffer.from(`${username}:${password}`).toString('base64')].filter((s) => s.length >= 4);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (username) headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const where = redactUrl(base);

  async function call(method: string, path: string, extra: Record<string, string> = {}): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, { method, headers: { ...headers, ...extra }, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      const why = (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : redactText(String((err as Error).cause ?? (err as Error).message), secrets);
      throw new ManagementApiError(`The RabbitMQ management API at ${where} could not be reached for ${method} ${path}: ${why}. Check --management-url and that the management plugin is enabled.`);
    }
    if (res.status === 401) {
      throw new ManagementApiError(`The RabbitMQ management API at ${where} refused the credentials for ${method} ${path} (401). Check the management username and password.`, 401);
    }
    return res;
  }

  async function json<T>(path: string): Promise<T> {
    const res = await call('GET', path);
    if (!res.ok) throw new ManagementApiError(`GET ${path} on the management API at ${where} answered ${res.status}; expected 200.`, res.status);
    return (await res.json()) as T;
  }

  return {
    async listConnections() {
      const rows = await json<Array<Record<string, unknown>>>(`/api/connections?columns=${CONNECTION_COLUMNS.join(',')}`);
      return rows.map(toConnection);
    },
    async closeConnection(name, reason = 'closed by rushgate') {
      const res = await call('DELETE', `/api/connections/${encodeURIComponent(name)}`, { 'x-reason': reason });
      if (res.status === 404) return false;
      if (!res.ok) throw new ManagementApiError(`Closing connection "${name}" via ${where} answered ${res.status}; expected 204.`, res.status);
      return true;
    },
    async overview() {
      const o = await json<Record<string, any>>('/api/overview');
      const t = o.object_totals ?? {};
      const c = o.churn_rates ?? {};
      const rate = (k: string) => Number(c[`${k}_details`]?.rate ?? 0);
      return {
        rabbitmqVersion: String(o.rabbitmq_version ?? ''),
        node: String(o.node ?? ''),
        objectTotals: {
          connections: Number(t.connections ?? 0),
          channels: Number(t.channels ?? 0),
          queues: Number(t.queues ?? 0),
          consumers: Number(t.consumers ?? 0),
          exchanges: Number(t.exchanges ?? 0),
        },
        churnRates: {
          connectionCreated: rate('connection_created'),
          connectionClosed: rate('connection_closed'),
          channelCreated: rate('channel_created'),
          channelClosed: rate('channel_closed'),
        },
      };
    },
    async clusterNodes() {
      const [nodes, o] = await Promise.all([json<Array<Record<string, unknown>>>('/api/nodes?columns=name,running'), json<Record<string, unknown>>('/api/overview?columns=listeners')]);
      const listeners = Array.isArray(o.listeners) ? (o.listeners as Array<Record<string, any>>) : [];
      return nodes.map((n) => ({
        name: String(n.name ?? ''),
        running: n.running !== false,
        listeners: listeners
          .filter((l) => l.node === n.name)
          .map((l) => ({ protocol: String(l.protocol ?? ''), port: Number(l.port), ...boundIp(l) })),
      }));
    },
  };
}

/** The address a listener is bound to; the plugins' HTTP listeners report `::` and put the real one in socket_opts.ip. */
function boundIp(l: Record<string, any>): { ip?: string } {
  const ip = [l.socket_opts?.ip, l.ip_address].find((a): a is string => typeof a === 'string' && a !== '::' && a !== '0.0.0.0' && a !== '');
  return ip ? { ip } : {};
}

function toConnection(row: Record<string, unknown>): BrokerConnection {
  const props = (row.client_properties ?? {}) as Record<string, unknown>;
  const connectionName = typeof props.connection_name === 'string' ? props.connection_name : undefined;
  return {
    name: String(row.name ?? ''),
    peerHost: String(row.peer_host ?? ''),
    peerPort: Number(row.peer_port ?? 0),
    connectionName,
    ...(typeof row.connected_at === 'number' ? { connectedAt: row.connected_at } : {}),
    channels: Number(row.channels ?? 0),
    user: String(row.user ?? ''),
    state: String(row.state ?? 'unknown'),
    vhost: String(row.vhost ?? ''),
    harness: isHarnessConnection({ connectionName }),
  };
}
