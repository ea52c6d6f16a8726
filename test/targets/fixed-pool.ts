// Test target (passes): opens a fixed pool of POOL_SIZE (default 4) connections at start, one channel
// each, and round-robins requests over them. Bounded no matter the load.
import amqp from 'amqplib';
import { connectOptions, EXCHANGE, serveContract } from './contract-server.ts';

const size = Number(process.env.POOL_SIZE || 4);
const url = process.env.AMQP_URL as string;
const pool = await Promise.all(
  Array.from({ length: size }, async (_, i) => {
    const connection = await amqp.connect(url, connectOptions(`fixed-pool#${i + 1}`));
    const channel = await connection.createChannel();
    await channel.assertExchange(EXCHANGE, 'topic', { durable: false });
    return { connection, channel };
  }),
);

serveContract({
  channelFor: async (n) => pool[n % size]!.channel,
  close: async () => {
    await Promise.allSettled(pool.map((p) => p.connection.close()));
  },
});
