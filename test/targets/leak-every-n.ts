// Test target (fails on growth/residue): publishes on one long-lived connection, but every LEAK_EVERY-th
// request (default 30) also opens an extra connection, publishes on it and never closes it: the slow
// leak that a per-request check would miss.
import amqp, { type ChannelModel } from 'amqplib';
import { connectOptions, EXCHANGE, serveContract } from './contract-server.ts';

const url = process.env.AMQP_URL as string;
const every = Number(process.env.LEAK_EVERY || 30);
const main = await amqp.connect(url, connectOptions('leak-every-n#main'));
const channel = await main.createChannel();
await channel.assertExchange(EXCHANGE, 'topic', { durable: false });
const leaked: ChannelModel[] = [];

serveContract({
  channelFor: async (n) => {
    if (n % every !== 0) return channel;
    const extra = await amqp.connect(url, connectOptions(`leak-every-n#${leaked.length + 1}`));
    leaked.push(extra);
    return extra.createChannel();
  },
  close: async () => {
    await Promise.allSettled([main, ...leaked].map((c) => c.close()));
  },
});
