// Healthy target: one amqplib connection per unit and a Spring-like channel cache of 25 (channel-cache.ts).
// Each call publishes inside RabbitTemplate.invoke-style scope: publish, wait for the confirm, and hold
// the channel for CHANNEL_HOLD_MS more (the work an application does inside the scope), so that under
// load the cache fills to its size and then holds.
import { setTimeout as sleep } from 'node:timers/promises';
import amqp from 'amqplib';
import { connectOptions, serveCalls } from '../contract-server.ts';
import { ChannelCache } from './channel-cache.ts';
import { AMQP_URL, connectionName, PUBLISH_EXCHANGE, runUnits } from './units.ts';

const holdMs = Number(process.env.CHANNEL_HOLD_MS || 0);
const cacheSize = Number(process.env.CHANNEL_CACHE_SIZE || 25);

await runUnits(async (unit) => {
  const connection = await amqp.connect(AMQP_URL, connectOptions(connectionName('spring-cache', unit)));
  const cache = new ChannelCache(connection, cacheSize);
  await cache.invoke((channel) => channel.assertExchange(PUBLISH_EXCHANGE, 'topic', { durable: false }));
  serveCalls({
    publish: (body, requestId) =>
      cache.invoke(async (channel) => {
        channel.publish(PUBLISH_EXCHANGE, 'item.update', body, { messageId: requestId });
        await channel.waitForConfirms();
        if (holdMs > 0) await sleep(holdMs);
      }),
    close: () => connection.close(),
  });
});
