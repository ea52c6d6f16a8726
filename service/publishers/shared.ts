import type { ChannelModel, ConfirmChannel } from 'amqplib';
import { closeQuietly } from '../amqp/connect.ts';
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

/**
 * A nacked call is published again on a fresh channel for up to this long (bounded by the confirm
 * timeout). Why: on a cluster, a channel whose first publish to a quorum queue comes while the queue's
 * record still names its leader on a node that just died keeps only that dead node to register with
 * (RabbitMQ 3.10's rabbit_fifo_client): every later publish to that queue is nacked, until that node is
 * back. A unit that lost its node reconnects within ~0.3 s, before the new leader is recorded (~0.5 s).
 * A channel opened after that is fine: measured here, the third or fourth fresh channel 100 ms apart was
 * acked 0.41 s after the kill, where the first one nacked every publish for 8 s (issue 16).
 */
export const NACK_RETRY_MS = 2_000;
/** Pause before a nacked call goes again. */
const NACK_RETRY_PAUSE_MS = 100;
/** A channel is replaced at most this often, so a queue that nacks for another reason (reject-publish) cannot churn channels. */
const MIN_LANE_AGE_MS = 200;

/** A confirm channel and the window publishing on it: what a nack retires. */
interface Lane {
  channel: ConfirmChannel;
  window: ConfirmWindow;
  openedAt: number;
}

export function createSharedPublisher(ctx: PublisherContext): Publisher {
  const { metrics, exchange } = ctx;
  const name = `ingest-unit-${ctx.unit}`;
  let lane: Lane | null = null;
  /** A fresh channel being opened to replace a nacking one; calls wait for it instead of publishing on the old one. */
  let replacing: Promise<void> | null = null;

  const openLane = async (conn: ChannelModel): Promise<Lane> => {
    const ch = await conn.createConfirmChannel();
    metrics.channelsOpen.inc();
    let closed = false;
    ch.on('error', (err: Error) => ctx.log.throttled('channel-error', `channel on ${name} failed: ${err.message}`));
    ch.on('close', () => {
      if (closed) return;
      closed = true;
      metrics.channelsOpen.dec();
      if (lane?.channel === ch) {
        lane = null;
        // A channel can die alone (e.g. the exchange was deleted); start over on a fresh connection.
        connection.reset('its confirm channel closed');
      }
    });
    return { channel: ch, window: new ConfirmWindow(ch, { exchange, window: CONFIRM_WINDOW, timeoutMs: ctx.confirmTimeoutMs }), openedAt: performance.now() };
  };

  const connection = new ReconnectingConnection({
    urls: ctx.amqpUrls,
    name,
    connectTimeoutMs: ctx.connectTimeoutMs,
    log: ctx.log,
    async setup(conn) {
      const fresh = await openLane(conn);
      await fresh.channel.assertExchange(exchange, 'topic', { durable: true });
      lane = fresh;
    },
    onOpened() {
      metrics.connectionsOpened.inc();
      metrics.connectionsOpen.inc();
    },
    onClosed() {
      metrics.connectionsClosed.inc();
      metrics.connectionsOpen.dec();
      lane = null;
    },
    onBlocked(blocked) {
      metrics.blocked.set(blocked ? 1 : 0);
    },
  });

  /** The nacking lane gives way to a fresh channel on the same connection; it is closed once its confirms are in. */
  const replace = (nacked: Lane): void => {
    const conn = connection.current;
    if (replacing || lane !== nacked || !conn) return;
    replacing = (async () => {
      await sleep(nacked.openedAt + MIN_LANE_AGE_MS - performance.now());
      if (lane !== nacked || connection.current !== conn) return;
      const fresh = await openLane(conn);
      if (lane !== nacked || connection.current !== conn) {
        await closeQuietly(fresh.channel);
        return;
      }
      lane = fresh;
      ctx.log.throttled('lane-replaced', `${name}: the broker nacked a publish; publishing on a fresh channel`);
      void retire(nacked);
    })()
      .catch((err: Error) => ctx.log.throttled('lane-replace-failed', `${name}: could not open a fresh channel: ${err.message}`))
      .finally(() => (replacing = null));
  };

  const retire = async (old: Lane): Promise<void> => {
    const giveUpAt = performance.now() + ctx.confirmTimeoutMs;
    while (old.window.outstanding > 0 && performance.now() < giveUpAt) await sleep(50);
    await closeQuietly(old.channel);
  };

  const unavailable = (reason: BrokerUnavailableError['reason'], certainlyNotPublished: boolean, message: string) => {
    metrics.publishFailures.inc({ reason });
    const retryAfter = reason === 'blocked' ? 5 : Math.max(1, Math.ceil(connection.retryInMs() / 1000));
    return new BrokerUnavailableError(reason, retryAfter, certainlyNotPublished, message);
  };

  return {
    kind: 'shared',
    start: () => connection.start(),
    async publish(message: OutgoingMessage) {
      const retryUntil = performance.now() + Math.min(NACK_RETRY_MS, ctx.confirmTimeoutMs);
      for (;;) {
        if (replacing) await replacing;
        const used = lane;
        if (!used || !connection.current) throw unavailable('disconnected', true, `unit ${ctx.unit} has no broker connection (reconnecting)`);
        if (connection.blocked) throw unavailable('blocked', true, 'the broker blocks publishing (resource alarm)');
        const outcome = await used.window.publish(message);
        switch (outcome) {
          case 'ack':
            metrics.confirms.inc();
            return;
          case 'nack':
            metrics.nacks.inc();
            replace(used);
            if (performance.now() + NACK_RETRY_PAUSE_MS < retryUntil) {
              await sleep(NACK_RETRY_PAUSE_MS);
              continue;
            }
            throw unavailable('nack', true, 'the broker refused the message (nack)');
          case 'timeout':
            throw unavailable('confirm-timeout', false, `the broker did not confirm within ${ctx.confirmTimeoutMs} ms`);
          case 'window-timeout':
            throw unavailable('confirm-timeout', true, `${CONFIRM_WINDOW} confirms stayed outstanding for ${ctx.confirmTimeoutMs} ms; the message was not sent`);
          case 'not-sent':
            // Its channel was retired for a fresh one before the message went out: send it there.
            if (lane && lane !== used && performance.now() < retryUntil) continue;
            throw unavailable('disconnected', true, 'the channel closed before the message was sent');
          case 'closed':
            throw unavailable('channel-closed', false, 'the channel closed before the broker confirmed');
        }
      }
    },
    status(): PublisherStatus {
      const connected = connection.current !== null && lane !== null;
      return { kind: 'shared', ready: connected && !connection.blocked, connected, blocked: connection.blocked, openConnections: connected ? 1 : 0 };
    },
    close: (timeoutMs) => connection.close(timeoutMs),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
