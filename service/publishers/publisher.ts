import type { PublisherKind } from '../config.ts';
import type { Logger } from '../log.ts';
import type { UnitMetrics } from '../metrics.ts';

/** One accepted call, ready for the broker. */
export interface OutgoingMessage {
  requestId: string;
  routingKey: string;
  body: Buffer;
  /** Call kind (item-put, items-batch, matchings), set as the AMQP `type` property. */
  type: string;
}

export interface PublisherContext {
  unit: number;
  /** Every broker node's URL (AMQP_URLS, else AMQP_URL alone). */
  amqpUrls: readonly string[];
  exchange: string;
  connectTimeoutMs: number;
  confirmTimeoutMs: number;
  metrics: UnitMetrics;
  log: Logger;
}

export interface PublisherStatus {
  kind: PublisherKind;
  ready: boolean;
  connected: boolean;
  blocked: boolean;
  openConnections: number;
}

/** How a unit hands accepted calls to the broker. One strategy per file in this folder. */
export interface Publisher {
  readonly kind: PublisherKind;
  /** Gets ready to publish (shared: first connection attempt). Never throws: a down broker is retried. */
  start(): Promise<void>;
  /** Resolves once the strategy considers the message handed over; rejects with one of the errors below. */
  publish(message: OutgoingMessage): Promise<void>;
  status(): PublisherStatus;
  /** Closes every channel and connection this unit holds. */
  close(timeoutMs: number): Promise<void>;
}

export type UnavailableReason = 'disconnected' | 'blocked' | 'nack' | 'confirm-timeout' | 'channel-closed';

/** The broker cannot take the message right now; the client should retry later (HTTP 503 + Retry-After). */
export class BrokerUnavailableError extends Error {
  override name = 'BrokerUnavailableError';
  constructor(
    readonly reason: UnavailableReason,
    readonly retryAfterSeconds: number,
    /** True when the message certainly never reached the broker (so its traceability event is withdrawn). */
    readonly certainlyNotPublished: boolean,
    message: string,
  ) {
    super(message);
  }
}

/** Publishing failed in a way the strategy does not recover from (HTTP 500), e.g. a connect timeout. */
export class PublishFailedError extends Error {
  override name = 'PublishFailedError';
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export const messageProperties = (m: OutgoingMessage) => ({
  messageId: m.requestId,
  persistent: true,
  contentType: 'application/json',
  type: m.type,
  timestamp: Math.floor(Date.now() / 1000),
  appId: 'rushgate-ingest',
});

/** Publishes on a confirm channel and waits for the broker's ack, bounded by `timeoutMs`. */
export function publishConfirmed(
  channel: import('amqplib').ConfirmChannel,
  exchange: string,
  message: OutgoingMessage,
  timeoutMs: number,
): Promise<'ack' | 'nack' | 'timeout' | 'closed' | 'not-sent'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), timeoutMs);
    try {
      channel.publish(exchange, message.routingKey, message.body, messageProperties(message), (err) => {
        clearTimeout(timer);
        if (!err) resolve('ack');
        else resolve(/nack/i.test(String((err as Error).message ?? err)) ? 'nack' : 'closed');
      });
    } catch {
      // amqplib throws synchronously when the channel is already closed.
      clearTimeout(timer);
      resolve('not-sent');
    }
  });
}
