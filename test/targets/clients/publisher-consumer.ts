// Healthy target on rabbitmq-client, as RabbitMQ recommends: two connections per unit, one publishing
// and one consuming (here a store-commands queue the unit listens to). The publisher declares the
// exchange on its first publish (createPublisher({exchanges})), not at start-up: the case
// --verify-exchange has to wait for.
import { Connection } from 'rabbitmq-client';
import { serveCalls } from '../contract-server.ts';
import { AMQP_URL, connectionName, PUBLISH_EXCHANGE, runUnits } from './units.ts';

await runUnits(async (unit) => {
  const options = { url: AMQP_URL, noDelay: true, connectionTimeout: 5_000 };
  const publishing = new Connection({ ...options, connectionName: connectionName('publisher-consumer', unit, 'publish') });
  const consuming = new Connection({ ...options, connectionName: connectionName('publisher-consumer', unit, 'consume') });
  // rabbitmq-client emits connection errors as events and retries; an unheard 'error' would kill the process.
  for (const c of [publishing, consuming]) c.on('error', (err: Error) => console.error(`unit ${unit}: ${err.message}`));
  await Promise.all([publishing.onConnect(5_000), consuming.onConnect(5_000)]);
  // A queue name of this process's own: the last run's exclusive queue can still be on the broker when the
  // next run starts, and a consumer declaring the same name gets RESOURCE_LOCKED and reopens its channel
  // until it is gone (CI: 7 channels opened and closed in one run, channels.churn failed).
  const consumer = consuming.createConsumer(
    { queue: `rushgate.clients.store-commands.${process.pid}.${unit}`, queueOptions: { exclusive: true }, qos: { prefetchCount: 10 } },
    () => {
      // Store commands are not part of the scenario; the consumer only has to be there.
    },
  );
  const publisher = publishing.createPublisher({ confirm: true, exchanges: [{ exchange: PUBLISH_EXCHANGE, type: 'topic', durable: false }] });
  serveCalls({
    publish: (body, requestId) => publisher.send({ exchange: PUBLISH_EXCHANGE, routingKey: 'item.update', messageId: requestId }, body),
    close: async () => {
      await Promise.allSettled([publisher.close(), consumer.close()]);
      await Promise.allSettled([publishing.close(), consuming.close()]);
    },
  });
});
