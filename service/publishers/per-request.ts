import type { ChannelModel } from 'amqplib';
import { closeQuietly } from '../amqp/connect.ts';
import { createNodeChoice } from '../amqp/node-choice.ts';
import { openCallConnection } from './counted-connection.ts';
import { PublishFailedError, publishConfirmed, type OutgoingMessage, type Publisher, type PublisherContext } from './publisher.ts';

/**
 * Opens a connection per request and closes it again: nothing leaks at rest, but every call pays a
 * handshake and the broker sees connections churn at the request rate.
 */
export function createPerRequestPublisher(ctx: PublisherContext): Publisher {
  const { metrics } = ctx;
  const open = new Set<ChannelModel>();
  const nodes = createNodeChoice(ctx.amqpUrls);
  let counter = 0;

  return {
    kind: 'per-request',
    start: async () => {},
    async publish(message: OutgoingMessage) {
      const conn = await openCallConnection(ctx, ++counter, open, nodes);
      try {
        const ch = await conn.createConfirmChannel();
        ch.on('error', () => {});
        metrics.channelsOpen.inc();
        ch.once('close', () => metrics.channelsOpen.dec());
        const outcome = await publishConfirmed(ch, ctx.exchange, message, ctx.confirmTimeoutMs);
        if (outcome === 'ack') {
          metrics.confirms.inc();
          return;
        }
        if (outcome === 'nack') metrics.nacks.inc();
        metrics.publishFailures.inc({ reason: outcome });
        throw new PublishFailedError(outcome, `publish not confirmed by the broker (${outcome})`);
      } catch (err) {
        if (err instanceof PublishFailedError) throw err;
        metrics.publishFailures.inc({ reason: 'error' });
        throw new PublishFailedError('error', `could not publish: ${(err as Error).message}`);
      } finally {
        await closeQuietly(conn, ctx.connectTimeoutMs);
      }
    },
    status: () => ({ kind: 'per-request', ready: true, connected: open.size > 0, blocked: false, openConnections: open.size }),
    async close(timeoutMs) {
      await Promise.all([...open].map((c) => closeQuietly(c, timeoutMs)));
    },
  };
}
