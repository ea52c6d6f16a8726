// Leaky twin (fails on connections): rabbitmq-client used as if a Connection were cheap. Every call
// opens a new connection and a publisher on it, sends, and never closes either. The exchange is declared
// on each publisher's first send, so it exists only once the first call came in.
import { Connection } from 'rabbitmq-client';
import { serveCalls } from '../contract-server.ts';
import { AMQP_URL, connectionName, PUBLISH_EXCHANGE, runUnits } from './units.ts';

await runUnits(async (unit) => {
  serveCalls({
    publish: async (body, requestId, n) => {
      const connection = new Connection({ url: AMQP_URL, noDelay: true, connectionTimeout: 5_000, connectionName: connectionName('connection-per-request', unit, `call-${n}`) });
      // rabbitmq-client emits connection errors as events and retries; an unheard 'error' would kill the process.
      connection.on('error', (err: Error) => console.error(`connection ${n}: ${err.message}`));
      const publisher = connection.createPublisher({ confirm: true, exchanges: [{ exchange: PUBLISH_EXCHANGE, type: 'topic', durable: false }] });
      await publisher.send({ exchange: PUBLISH_EXCHANGE, routingKey: 'item.update', messageId: requestId }, body);
    },
    // Nothing is closed, not even on shutdown: the process exits and the broker drops the sockets.
    close: async () => {},
  });
});
