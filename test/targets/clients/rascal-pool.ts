// Healthy target on rascal, configured as its README suggests: one connection per unit, publications
// on rascal's confirm-channel pool (up to 5 channels per connection, opened lazily as concurrent
// publishes need them, kept for a minute when idle). The case that was once failed as a leak (issue 11).
import rascal from 'rascal';
import { serveCalls } from '../contract-server.ts';
import { AMQP_URL, connectionName, PUBLISH_EXCHANGE, runUnits } from './units.ts';

await runUnits(async (unit) => {
  const broker = await rascal.BrokerAsPromised.create(
    rascal.withDefaultConfig({
      vhosts: {
        '/': {
          connection: {
            url: AMQP_URL,
            socketOptions: { timeout: 5_000, clientProperties: { connection_name: connectionName('rascal', unit) } },
          },
          exchanges: { [PUBLISH_EXCHANGE]: { type: 'topic', options: { durable: false } } },
          publications: { accepted: { exchange: PUBLISH_EXCHANGE, routingKey: 'item.update' } },
        },
      },
    }),
  );
  broker.on('error', (err: Error) => console.error(`rascal unit ${unit}: ${err.message}`));
  serveCalls({
    publish: async (body, requestId) => {
      const publication = await broker.publish('accepted', body, { options: { messageId: requestId } });
      // Answer only once the broker confirmed it: the pool's channels are confirm channels.
      await new Promise<void>((resolve, reject) => {
        publication.on('success', () => resolve()).on('error', (err: Error) => reject(err));
      });
    },
    close: () => broker.shutdown(),
  });
});
