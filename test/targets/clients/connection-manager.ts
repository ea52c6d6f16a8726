// Healthy target on amqp-connection-manager, used as its README shows: one manager per unit, one
// ChannelWrapper (a confirm channel) whose setup declares the exchange and runs again on every reconnect.
import amqp from 'amqp-connection-manager';
import type { ConfirmChannel } from 'amqplib';
import { connectOptions, serveCalls } from '../contract-server.ts';
import { AMQP_URL, connectionName, PUBLISH_EXCHANGE, runUnits } from './units.ts';

await runUnits(async (unit) => {
  const manager = amqp.connect([AMQP_URL], { connectionOptions: connectOptions(connectionName('connection-manager', unit)) });
  const channel = manager.createChannel({
    name: 'accepted-calls',
    setup: (ch: ConfirmChannel) => ch.assertExchange(PUBLISH_EXCHANGE, 'topic', { durable: false }),
  });
  channel.on('error', (err: Error) => console.error(`unit ${unit}: ${err.message}`));
  await channel.waitForConnect();
  serveCalls({
    // Resolves once the broker confirmed the message.
    publish: async (body, requestId) => {
      await channel.publish(PUBLISH_EXCHANGE, 'item.update', body, { messageId: requestId });
    },
    close: () => manager.close(),
  });
});
