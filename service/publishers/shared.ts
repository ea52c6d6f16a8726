import type { ConfirmChannel } from 'amqplib';
import { ReconnectingConnection } from '../amqp/reconnecting-connection.ts';
import { ConfirmWindow } from './confirm-window.ts';
import {
  BrokerUnavailableError,
  type OutgoingMessage,
  type Publisher,
  type PublisherContext,
  type PublisherStatus,
} from './publisher.ts';

/**
 * The fix: one long-lived connection per unit with one confirm channel. A call is answered 2xx only
 * after the broker confirmed its message; when the broker is unreachable, blocked, nacks or does not
 * confirm in time the call gets 503 + Retry-After instead, and the connection is re-made with backoff.
 * Publishes are pipelined: up to CONFIRM_WINDOW confirms outstanding, each call waiting only for its own.
 */
export const CONFIRM_WINDOW = 256;

export function createSharedPublisher(ctx: PublisherContext): Publisher {
  const { metrics, exchange } = ctx;
  const name = `ingest-unit-${ctx.unit}`;
  let channel: ConfirmChannel | null = null;
  let window: ConfirmWindow | null = null;

  const connection = new ReconnectingConnection({
    urls: ctx.amqpUrls,
    name,
    connectTimeoutMs: ctx.connectTimeoutMs,
    log: ctx.log,
    async setup(conn) {
      const ch = await conn.createConfirmChannel();
      metrics.channelsOpen.inc();
      let closed = false;
      ch.on('error', (err: Error) => ctx.log.throttled('channel-error', `channel on ${name} failed: ${err.message}`));
      ch.on('close', () => {
        if (closed) return;
        closed = true;
        metrics.channelsOpen.dec();
        if (channel === ch) {
          channel = null;
          window = null;
          // A channel can die alone (e.g. the exchange was deleted); start over on a fresh connection.
          connection.reset('its confirm channel closed');
        }
      });
      await ch.assertExchange(exchange, 'topic', { durable: true });
      window = new ConfirmWindow(ch, { exchange, window: CONFIRM_WINDOW, timeoutMs: ctx.confirmTimeoutMs });
      channel = ch;
    },
    onOpened() {
      metrics.connectionsOpened.inc();
      metrics.connectionsOpen.inc();
    },
    onClosed() {
      metrics.connectionsClosed.inc();
      metrics.connectionsOpen.dec();
      channel = null;
      window = null;
    },
    onBlocked(blocked) {
      metrics.blocked.set(blocked ? 1 : 0);
    },
  });

  const unavailable = (reason: BrokerUnavailableError['reason'], certainlyNotPublished: boolean, message: string) => {
    metrics.publishFailures.inc({ reason });
    const retryAfter = reason === 'blocked' ? 5 : Math.max(1, Math.ceil(connection.retryInMs() / 1000));
    return new BrokerUnavailableError(reason, retryAfter, certainlyNotPublished, message);
  };

  return {
    kind: 'shared',
    start: () => connection.start(),
    async publish(message: OutgoingMessage) {
      const w = window;
      if (!channel || !w || !connection.current) throw unavailable('disconnected', true, `unit ${ctx.unit} has no broker connection (reconnecting)`);
      if (connection.blocked) throw unavailable('blocked', true, 'the broker blocks publishing (resource alarm)');
      const outcome = await w.publish(message);
      switch (outcome) {
        case 'ack':
          metrics.confirms.inc();
          return;
        case 'nack':
          metrics.nacks.inc();
          throw unavailable('nack', true, 'the broker refused the message (nack)');
        case 'timeout':
          throw unavailable('confirm-timeout', false, `the broker did not confirm within ${ctx.confirmTimeoutMs} ms`);
        case 'window-timeout':
          throw unavailable('confirm-timeout', true, `${CONFIRM_WINDOW} confirms stayed outstanding for ${ctx.confirmTimeoutMs} ms; the message was not sent`);
        case 'not-sent':
          throw unavailable('disconnected', true, 'the channel closed before the message was sent');
        case 'closed':
          throw unavailable('channel-closed', false, 'the channel closed before the broker confirmed');
      }
    },
    status(): PublisherStatus {
      const connected = connection.current !== null && channel !== null;
      return { kind: 'shared', ready: connected && !connection.blocked, connected, blocked: connection.blocked, openConnections: connected ? 1 : 0 };
    },
    close: (timeoutMs) => connection.close(timeoutMs),
  };
}
