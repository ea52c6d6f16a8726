import { describe, expect, it } from 'vitest';
import { baselineFromSamples, parseBrokerMetrics } from '../../harness/probe/broker-sampler.ts';
import { httpTarget } from '../../harness/probe/http-target.ts';
import { HARNESS_CONNECTION_PREFIX, isHarnessConnection } from '../../harness/probe/management-api.ts';
import type { BrokerSample } from '../../harness/run-record.ts';

// Trimmed from a real RabbitMQ 3.10.8 node's aggregated /metrics.
const METRICS = `# TYPE rabbitmq_connections_opened_total counter
# HELP rabbitmq_connections_opened_total Total number of connections opened
rabbitmq_connections_opened_total 17
# TYPE rabbitmq_connections_closed_total counter
rabbitmq_connections_closed_total 12
# TYPE rabbitmq_channels_opened_total counter
rabbitmq_channels_opened_total 30
# TYPE rabbitmq_channels_closed_total counter
rabbitmq_channels_closed_total 22
# TYPE rabbitmq_process_open_fds gauge
rabbitmq_process_open_fds 36
# TYPE rabbitmq_process_open_tcp_sockets gauge
rabbitmq_process_open_tcp_sockets 5
# TYPE rabbitmq_channel_consumers gauge
# TYPE rabbitmq_connections gauge
rabbitmq_connections 5
# TYPE rabbitmq_channels gauge
rabbitmq_channels 8
`;

describe('parseBrokerMetrics', () => {
  it('reads the counts the sampler needs', () => {
    expect(parseBrokerMetrics(METRICS)).toEqual({
      connections: 5,
      channels: 8,
      connectionsOpened: 17,
      connectionsClosed: 12,
      channelsOpened: 30,
      channelsClosed: 22,
      fds: 36,
      sockets: 5,
    });
  });

  it('leaves fds/sockets out when absent and refuses an exposition that is not RabbitMQ', () => {
    const minimal = parseBrokerMetrics('rabbitmq_connections 1\n');
    expect(minimal).toEqual({ connections: 1, channels: 0, connectionsOpened: 0, connectionsClosed: 0, channelsOpened: 0, channelsClosed: 0 });
    expect(() => parseBrokerMetrics('http_requests_total 3\n')).toThrow(/no rabbitmq_connections metric/);
  });
});

describe('baselineFromSamples', () => {
  const s = (t: number, connections: number, channels = connections): BrokerSample => ({
    t,
    connections,
    channels,
    connectionsOpened: 0,
    connectionsClosed: 0,
    channelsOpened: 0,
    channelsClosed: 0,
    harnessConnections: 0,
    harnessChannels: 0,
  });

  it('is the median of the pre-load samples, so a passing probe does not shift it', () => {
    expect(baselineFromSamples([s(-2, 2), s(-1.5, 3), s(-1, 2), s(0, 50), s(1, 60)])).toEqual({ connections: 2, channels: 2 });
    expect(baselineFromSamples([s(0, 1)])).toBeUndefined();
  });
});

describe('httpTarget', () => {
  it('moves credentials from the URL into a basic-auth header and lists them as secrets', () => {
    const t = httpTarget('http://guest:s3cr%40t@127.0.0.1:15692/metrics');
    expect(t.url).toBe('http://127.0.0.1:15692/metrics');
    expect(t.headers.authorization).toBe(`Basic ${Buffer.from('guest:s3cr@t').toString('base64')}`);
    expect(t.secrets).toContain('s3cr@t');
    expect(httpTarget('http://127.0.0.1/metrics')).toEqual({ url: 'http://127.0.0.1/metrics', headers: {}, secrets: [] });
  });
});

describe('isHarnessConnection', () => {
  it('recognises the rushgate- prefix only', () => {
    expect(HARNESS_CONNECTION_PREFIX).toBe('rushgate-');
    expect(isHarnessConnection({ connectionName: 'rushgate-verify-tap' })).toBe(true);
    expect(isHarnessConnection({ connectionName: 'ingest-unit-1' })).toBe(false);
    expect(isHarnessConnection({})).toBe(false);
  });
});
