import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PublisherKind } from './config.ts';

/** What one unit (cluster worker) exposes. Default labels tell units apart once the primary aggregates. */
export function createUnitMetrics(unit: number, publisher: PublisherKind) {
  const registry = new Registry();
  registry.setDefaultLabels({ unit: String(unit), publisher });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({
      name: 'ingest_http_requests_total',
      help: 'HTTP requests answered, by route, method and status code',
      labelNames: ['route', 'method', 'status'] as const,
      registers,
    }),
    httpDuration: new Histogram({
      name: 'ingest_http_request_duration_seconds',
      help: 'Time from request start to the response, by route',
      labelNames: ['route'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    publishDuration: new Histogram({
      name: 'ingest_publish_duration_seconds',
      help: 'Time to publish one accepted call (including connect for leaky/per-request and the confirm for shared), by outcome',
      labelNames: ['outcome'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    publishFailures: new Counter({
      name: 'ingest_publish_failures_total',
      help: 'Publishes that failed, by reason (disconnected, blocked, nack, confirm-timeout, channel-closed, connect, error)',
      labelNames: ['reason'] as const,
      registers,
    }),
    confirms: new Counter({ name: 'ingest_publish_confirms_total', help: 'Publisher confirms (acks) received from the broker', registers }),
    nacks: new Counter({ name: 'ingest_publish_nacks_total', help: 'Publisher nacks received from the broker', registers }),
    connectionsOpened: new Counter({ name: 'ingest_amqp_connections_opened_total', help: 'AMQP connections this unit opened', registers }),
    connectionsClosed: new Counter({ name: 'ingest_amqp_connections_closed_total', help: 'AMQP connections of this unit that closed', registers }),
    connectionsOpen: new Gauge({ name: 'ingest_amqp_connections_open', help: 'AMQP connections this unit holds open now', registers }),
    channelsOpen: new Gauge({ name: 'ingest_amqp_channels_open', help: 'AMQP channels this unit holds open now', registers }),
    blocked: new Gauge({ name: 'ingest_amqp_blocked', help: '1 while the broker blocks this unit\'s publishing connection (resource alarm)', registers }),
  };
}

export type UnitMetrics = ReturnType<typeof createUnitMetrics>;
