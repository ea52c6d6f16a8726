// Test target: one process whatever UNITS says, two named connections (a publisher and a consumer, as
// RabbitMQ recommends), and an exchange declared only on its first publish (rabbitmq-client's
// createPublisher({exchanges}) habit), so a verification tap has to wait for it.
import amqp, { type Channel } from 'amqplib';
import { connectOptions, EXCHANGE, serveContract } from './contract-server.ts';

const url = process.env.AMQP_URL as string;
const publisher = await amqp.connect(url, connectOptions('lazy-publisher'));
const consumer = await amqp.connect(url, connectOptions('lazy-consumer'));
await consumer.createChannel();
let declared: Promise<Channel> | undefined;

const declareOnFirstPublish = async (): Promise<Channel> => {
  const channel = await publisher.createChannel();
  await channel.assertExchange(EXCHANGE, 'topic', { durable: false });
  return channel;
};

serveContract({
  channelFor: () => (declared ??= declareOnFirstPublish()),
  close: async () => {
    await Promise.allSettled([publisher.close(), consumer.close()]);
  },
});
