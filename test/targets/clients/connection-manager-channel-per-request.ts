// Leaky twin of connection-manager.ts, a misuse seen in the wild: createChannel() inside the request
// handler. Each call gets its own ChannelWrapper (a new AMQP channel on the one connection) that is
// never closed, so channels climb with every request while connections stay flat.
import amqp from 'amqp-connection-manager';
import type { ConfirmChannel } from 'amqplib';
import { connectOptions, serveCalls } from '../contract-server.ts';
import { AMQP_URL, connectionName, PUBLISH_EXCHANGE, runUnits } from './units.ts';

await runUnits(async (unit) => {
  const manager = amqp.connect([AMQP_URL], { connectionOptions: connectOptions(connectionName('connection-manager-misuse', unit)) });
  await manager.connect({ timeout: 5_000 });
  const setup = (ch: ConfirmChannel) => ch.assertExchange(PUBLISH_EXCHANGE, 'topic', { durable: false });
  await manager.createChannel({ setup }).waitForConnect();
  serveCalls({
    publish: async (body, requestId) => {
      const channel = manager.createChannel({ setup });
      await channel.publish(PUBLISH_EXCHANGE, 'item.update', body, { messageId: requestId });
    },
    close: () => manager.close(),
  });
});
