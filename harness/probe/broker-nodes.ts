// Which broker nodes a run samples, each with its own Prometheus endpoint. On a cluster every node's
// endpoint reports that node's connections only (RabbitMQ's aggregated `/metrics`), so one URL sees a
// third of a 3-node cluster. Sources, in order: the nodes the stack started; several `--prometheus-url`
// values; else the management API's node list, when it names more than one node.
//
// Discovery: `/api/nodes` gives the members, `/api/overview` the listeners of the running ones. A node's
// Prometheus URL is the given URL's scheme with the address its `http/prometheus` listener is bound to
// (when it listens on every interface: the given URL's host for the node that URL answers for, else the
// host part of the node name, rabbit@<host>) and that listener's port.
import { UsageError, CannotRunError } from '../errors.ts';
import { redactUrl } from '../redact.ts';
import { parseNodeMetrics } from './broker-metrics.ts';
import { httpTarget } from './http-target.ts';
import type { RunRecord } from '../run-record.ts';
import type { StartedStack } from '../stack/stack.ts';
import type { ClusterMember, ManagementClient } from './management-api.ts';

export interface SampledNode {
  /** Erlang node name, e.g. rabbit@host. */
  name: string;
  prometheusUrl: string;
  connectionMax?: number;
}

/** `--prometheus-url` given several times, comma-separated, or both. */
export function prometheusUrlList(value: unknown): string[] {
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.flatMap((v) => String(v).split(',')).map((u) => u.trim()).filter((u) => u !== '');
}

/**
 * Asks each endpoint once which node it reports (`rabbitmq_identity_info`). Two endpoints of one node
 * would count its connections twice: that is a configuration mistake, said as such.
 */
export async function identifyNodes(urls: readonly string[], timeoutMs = 5_000): Promise<SampledNode[]> {
  const nodes = await Promise.all(
    urls.map(async (url) => {
      const target = httpTarget(`${url.replace(/\/+$/, '')}/metrics`);
      let text: string;
      try {
        const res = await fetch(target.url, { headers: target.headers, signal: AbortSignal.timeout(timeoutMs) });
        if (!res.ok) throw new Error(`answered ${res.status}`);
        text = await res.text();
      } catch (err) {
        throw new CannotRunError(`The Prometheus endpoint ${redactUrl(target.url)} could not be read: ${String((err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message)}.`);
      }
      const { node } = parseNodeMetrics(text);
      return { name: node ?? new URL(target.url).host, prometheusUrl: url };
    }),
  );
  const seen = new Map<string, string>();
  for (const n of nodes) {
    const other = seen.get(n.name);
    if (other !== undefined) {
      throw new UsageError(`--prometheus-url ${redactUrl(other)} and ${redactUrl(n.prometheusUrl)} both report node ${n.name}: its connections would be counted twice. Give one URL per node.`);
    }
    seen.set(n.name, n.prometheusUrl);
  }
  return nodes;
}

/** Each running member's Prometheus URL, derived as the header says; members without a listener are left out with a reason. */
export function prometheusUrlsOf(members: readonly ClusterMember[], given: { url: string; node?: string }): { urls: Array<{ node: string; url: string }>; skipped: string[] } {
  const base = new URL(given.url);
  const urls: Array<{ node: string; url: string }> = [];
  const skipped: string[] = [];
  for (const m of members) {
    if (!m.running) {
      skipped.push(`${m.name} is not running`);
      continue;
    }
    const listener = m.listeners.find((l) => l.protocol === 'http/prometheus');
    if (!listener) {
      skipped.push(`${m.name} has no http/prometheus listener (is rabbitmq_prometheus enabled there?)`);
      continue;
    }
    if (m.name === given.node) {
      urls.push({ node: m.name, url: given.url });
      continue;
    }
    const host = listener.ip ?? m.name.slice(m.name.indexOf('@') + 1);
    const u = new URL(base.toString());
    u.hostname = host.includes(':') ? `[${host}]` : host;
    u.port = String(listener.port);
    urls.push({ node: m.name, url: u.toString().replace(/\/+$/, '') });
  }
  return { urls, skipped };
}

/** The node a client of this AMQP URL is on: the member whose amqp listener has that port (else undefined). */
export function nodeOfAmqpUrl(members: readonly ClusterMember[], amqpUrl: string): string | undefined {
  const port = Number(new URL(amqpUrl).port || 5672);
  return members.find((m) => m.listeners.some((l) => l.protocol === 'amqp' && l.port === port))?.name;
}

export interface ExternalNodesRequest {
  /** Every --prometheus-url value. */
  prometheusUrls: readonly string[];
  management: ManagementClient;
  /** The harness's own AMQP URL, if it holds connections: their node is found by its listener port. */
  amqpUrl?: string;
  /** Checks each derived URL as the given ones were checked (loopback unless allowed). */
  checkUrl: (what: string, url: string) => void;
  log: (line: string) => void;
}

/**
 * The nodes of an external broker: the URLs given, else discovered from the management API. One node
 * (or a management API that cannot list nodes) means sampling as before, from the one URL.
 */
export async function externalNodes(req: ExternalNodesRequest): Promise<{ nodes: SampledNode[]; harnessNode?: string }> {
  const members = await req.management.clusterNodes().catch((err: unknown) => {
    req.log(`broker nodes: the management API did not list them (${(err as Error).message}); sampling the Prometheus URLs given`);
    return [] as ClusterMember[];
  });
  const harnessNode = req.amqpUrl ? nodeOfAmqpUrl(members, req.amqpUrl) : undefined;
  if (req.prometheusUrls.length > 1) return { nodes: await identifyNodes(req.prometheusUrls), ...(harnessNode ? { harnessNode } : {}) };
  if (members.length < 2) return { nodes: [] };
  const [given] = await identifyNodes(req.prometheusUrls);
  const { urls, skipped } = prometheusUrlsOf(members, { url: req.prometheusUrls[0]!, node: given!.name });
  for (const why of skipped) req.log(`broker nodes: ${why}; not sampled`);
  for (const u of urls) req.checkUrl(`Prometheus endpoint of ${u.node}`, u.url);
  const nodes = await identifyNodes(urls.map((u) => u.url));
  req.log(`broker nodes: ${nodes.length} found by the management API: ${nodes.map((n) => `${n.name} at ${redactUrl(n.prometheusUrl)}`).join(', ')}`);
  return { nodes: nodes.length > 1 ? nodes : [], ...(harnessNode ? { harnessNode } : {}) };
}

/**
 * The nodes a run samples: the stack's own when it started several, else an external broker's (given or
 * discovered). An empty list means one node, sampled from `stack.prometheusUrl` as it always was.
 */
export async function nodesToSample(
  stack: Pick<StartedStack, 'kind' | 'nodes' | 'connectionMax' | 'amqpUrl' | 'prometheusUrl'>,
  ext: { prometheusUrls?: readonly string[]; management: ManagementClient; checkUrl: ExternalNodesRequest['checkUrl']; log: (line: string) => void },
): Promise<{ nodes: SampledNode[]; harnessNode?: string }> {
  if (stack.nodes && stack.nodes.length > 1) {
    const max = stack.connectionMax;
    const harnessNode = stack.nodes.find((n) => n.amqpUrl === stack.amqpUrl)?.name;
    return {
      nodes: stack.nodes.map((n) => ({ name: n.name, prometheusUrl: n.prometheusUrl, ...(max !== undefined ? { connectionMax: max } : {}) })),
      ...(harnessNode ? { harnessNode } : {}),
    };
  }
  if (stack.kind !== 'external') return { nodes: [] };
  return externalNodes({ prometheusUrls: ext.prometheusUrls && ext.prometheusUrls.length > 0 ? ext.prometheusUrls : [stack.prometheusUrl], management: ext.management, amqpUrl: stack.amqpUrl, checkUrl: ext.checkUrl, log: ext.log });
}

/** The run record's `brokerNodes`: set only when more than one node was sampled, so single-node records stay as they were. */
export function brokerNodesOf(nodes: readonly SampledNode[]): RunRecord['brokerNodes'] {
  if (nodes.length < 2) return undefined;
  return nodes.map((n) => ({ node: n.name, ...(n.connectionMax !== undefined ? { connectionMax: n.connectionMax } : {}) }));
}
