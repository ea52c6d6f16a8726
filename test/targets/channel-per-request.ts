// Test target (fails on channels only): keeps one connection, but opens a new channel for every request
// and never closes it. Connections stay flat; channels climb with every call.
import amqp from 'amqplib';
import { connectOptions, EXCHANGE, serveContract } from './contract-server.ts';

const connection = await amqp.connect(process.env.AMQP_URL as string, connectOptions('channel-per-request'));
const setup = await connection.createChannel();
await setup.assertExchange(EXCHANGE, 'topic', { durable: false });

serveContract({
  channelFor: () => connection.createChannel(),
  close: async () => {
    await connection.close().catch(() => {});
  },
});
