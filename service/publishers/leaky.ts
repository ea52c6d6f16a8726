import type { ChannelModel } from 'amqplib';
import { closeQuietly } from '../amqp/connect.ts';
import { createNodeChoice } from '../amqp/node-choice.ts';
import { openCallConnection } from './counted-connection.ts';
import { PublishFailedError, messageProperties, type OutgoingMessage, type Publisher, type PublisherContext } from './publisher.ts';

/**
 * The incident, on purpose: every request opens a NEW connection and channel and never closes them.
 * Connections pile up with traffic until the broker's connection_max; past it the broker accepts TCP
 * and never answers, so each request waits out the connect timeout and fails with 500 — after its
 * traceability event was already recorded, which is how events were left "waiting".
 */
export function createLeakyPublisher(ctx: PublisherContext): Publisher {
  const { metrics } = ctx;
  const leaked = new Set<ChannelModel>();
  const nodes = createNodeChoice(ctx.amqpUrls);
  let counter = 0;

  return {
    kind: 'leaky',
    start: async () => {},
    async publish(message: OutgoingMessage) {
      let channelOpen = false;
      // Nobody ever closes these; only a broker-side close (or shutdown) ends them.
      const conn = await openCallConnection(ctx, ++counter, leaked, nodes, () => {
        if (channelOpen) metrics.channelsOpen.dec();
      });
      try {
        const ch = await conn.createChannel();
        channelOpen = true;
        metrics.channelsOpen.inc();
        ch.on('error', () => {});
        // Fire and forget, as the original code did: no confirm, so a 2xx only means "written to a socket".
        ch.publish(ctx.exchange, message.routingKey, message.body, messageProperties(message));
      } catch (err) {
        metrics.publishFailures.inc({ reason: 'error' });
        throw new PublishFailedError('error', `could not publish: ${(err as Error).message}`);
      }
    },
    status: () => ({ kind: 'leaky', ready: true, connected: leaked.size > 0, blocked: false, openConnections: leaked.size }),
    async close(timeoutMs) {
      // Only at shutdown does anything close them.
      await Promise.all([...leaked].map((c) => closeQuietly(c, timeoutMs)));
    },
  };
}
