// What one scrape of RabbitMQ's Prometheus endpoint (aggregated `/metrics`) says: connections, channels,
// their opened/closed totals, and file descriptors/sockets when the node reports them.
import type { BrokerSample } from '../run-record.ts';
import { parsePrometheusText, sumOf } from './prometheus-text.ts';

/** A sample's counts as the broker reports them, before the harness's own are taken out. */
export type BrokerCounts = Pick<
  BrokerSample,
  'connections' | 'channels' | 'connectionsOpened' | 'connectionsClosed' | 'channelsOpened' | 'channelsClosed' | 'fds' | 'sockets'
>;

/** Reads the counts from one exposition; throws when it is not RabbitMQ's (no rabbitmq_connections). */
export function parseBrokerMetrics(text: string): BrokerCounts {
  const m = parsePrometheusText(text);
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
