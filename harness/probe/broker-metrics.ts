// What one scrape of RabbitMQ's Prometheus endpoint (aggregated `/metrics`) says: connections, channels,
// their opened/closed totals, and file descriptors/sockets when the node reports them.
import type { BrokerSample } from '../run-record.ts';
import { parsePrometheusText, seriesOf, sumOf, type PromParseResult } from './prometheus-text.ts';

/** A sample's counts as the broker reports them, before the harness's own are taken out. */
export type BrokerCounts = Pick<
  BrokerSample,
  'connections' | 'channels' | 'connectionsOpened' | 'connectionsClosed' | 'channelsOpened' | 'channelsClosed' | 'fds' | 'sockets'
>;

/** Reads the counts from one exposition; throws when it is not RabbitMQ's (no rabbitmq_connections). */
export function parseBrokerMetrics(text: string): BrokerCounts {
  return countsOf(parsePrometheusText(text));
}

/**
 * The counts and the node that reported them (`rabbitmq_identity_info{rabbitmq_node}`, absent before
 * RabbitMQ 3.8). The aggregated endpoint reports that node's own connections only, so the nodes of a
 * cluster add up; two endpoints of the same node would count it twice, which the node name catches.
 */
export function parseNodeMetrics(text: string): { counts: BrokerCounts; node?: string } {
  const m = parsePrometheusText(text);
  const node = seriesOf(m, 'rabbitmq_identity_info')[0]?.labels.rabbitmq_node;
  return { counts: countsOf(m), ...(node ? { node } : {}) };
}

function countsOf(m: PromParseResult): BrokerCounts {
  const connections = sumOf(m, 'rabbitmq_connections');
  if (connections === undefined) {
    throw new Error('the response has no rabbitmq_connections metric; is this the rabbitmq_prometheus endpoint (port 15692 by default)?');
  }
  const counts: BrokerCounts = {
    connections,
    channels: sumOf(m, 'rabbitmq_channels') ?? 0,
    connectionsOpened: sumOf(m, 'rabbitmq_connections_opened_total') ?? 0,
    connectionsClosed: sumOf(m, 'rabbitmq_connections_closed_total') ?? 0,
    channelsOpened: sumOf(m, 'rabbitmq_channels_opened_total') ?? 0,
    channelsClosed: sumOf(m, 'rabbitmq_channels_closed_total') ?? 0,
  };
  const fds = sumOf(m, 'rabbitmq_process_open_fds');
  const sockets = sumOf(m, 'rabbitmq_process_open_tcp_sockets');
  if (fds !== undefined) counts.fds = fds;
  if (sockets !== undefined) counts.sockets = sockets;
  return counts;
}
