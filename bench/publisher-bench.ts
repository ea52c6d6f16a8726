// Benchmark (not a test): the reference `shared` publisher against raw amqplib on the same broker, the
// same 512 B persistent messages to a durable exchange bound to a durable classic queue, 256 confirms
// in flight for both. Rounds alternate raw / shared so drift on a shared machine hits both alike.
import amqp from 'amqplib';
import { startRabbitNode, type StartedRabbitNode } from '../harness/stack/rabbitmq-node.ts';
import { createUnitMetrics } from '../service/metrics.ts';
import { createLogger } from '../service/log.ts';
import { createSharedPublisher } from '../service/publishers/shared.ts';

const EXCHANGE = 'rushgate.bench.items';
const QUEUE = 'rushgate.bench.items';
export const IN_FLIGHT = 256;
const BODY = Buffer.alloc(512, 'x');

export interface PublisherRound {
  rawRps: number;
  sharedRps: number;
}

async function prepare(amqpUrl: string): Promise<void> {
  const conn = await amqp.connect(amqpUrl, { noDelay: true });
  const ch = await conn.createChannel();
  await ch.assertExchange(EXCHANGE, 'topic', { durable: true });
  await ch.assertQueue(QUEUE, { durable: true });
  await ch.bindQueue(QUEUE, EXCHANGE, '#');
  await conn.close();
}

async function purge(amqpUrl: string): Promise<void> {
  const conn = await amqp.connect(amqpUrl, { noDelay: true });
  const ch = await conn.createChannel();
  await ch.purgeQueue(QUEUE);
  await conn.close();
}

/** `workers` loops, each publishing and awaiting its own confirm, for `ms`: messages confirmed per second. */
async function drive(ms: number, publishOne: (seq: number) => Promise<void>): Promise<number> {
  const end = performance.now() + ms;
  let seq = 0;
  let confirmed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() < end) {
        await publishOne(seq++);
        confirmed++;
      }
    }),
  );
  return confirmed / ((performance.now() - started) / 1000);
}

async function rawRps(amqpUrl: string, ms: number): Promise<number> {
  const conn = await amqp.connect(amqpUrl, { noDelay: true });
  const ch = await conn.createConfirmChannel();
  try {
    return await drive(ms, (seq) =>
      new Promise<void>((resolve, reject) => {
        ch.publish(EXCHANGE, 'item.update', BODY, { persistent: true, messageId: `raw-${seq}`, contentType: 'application/json' }, (err) => (err ? reject(err) : resolve()));
      }),
    );
  } finally {
    await conn.close();
  }
}

async function sharedRps(amqpUrl: string, ms: number): Promise<number> {
  const log = createLogger('bench', () => {});
  const publisher = createSharedPublisher({ unit: 1, amqpUrls: [amqpUrl], exchange: EXCHANGE, connectTimeoutMs: 2000, confirmTimeoutMs: 5000, metrics: createUnitMetrics(1, 'shared'), log });
  await publisher.start();
  try {
    return await drive(ms, (seq) => publisher.publish({ requestId: `shared-${seq}`, routingKey: 'item.update', body: BODY, type: 'item-put' }));
  } finally {
    await publisher.close(2000);
  }
}

export async function runPublisherBench(opts: { rounds: number; seconds: number; node?: StartedRabbitNode; log?: (l: string) => void }): Promise<PublisherRound[]> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const node = opts.node ?? (await startRabbitNode());
  try {
    await prepare(node.amqpUrl);
    await rawRps(node.amqpUrl, 1000); // warm the broker's queue process and our JIT
    const rounds: PublisherRound[] = [];
    for (let r = 0; r < opts.rounds; r++) {
      await purge(node.amqpUrl);
      const raw = await rawRps(node.amqpUrl, opts.seconds * 1000);
      await purge(node.amqpUrl);
      const shared = await sharedRps(node.amqpUrl, opts.seconds * 1000);
      rounds.push({ rawRps: raw, sharedRps: shared });
      log(`  publisher round ${r + 1}: raw amqplib ${raw.toFixed(0)} msg/s, shared ${shared.toFixed(0)} msg/s (${(shared / raw).toFixed(2)})`);
    }
    return rounds;
  } finally {
    if (!opts.node) await node.stop();
  }
}

// Alone: node --import tsx bench/publisher-bench.ts [rounds] [seconds]
if (import.meta.url === `file://${process.argv[1]}`) {
  const rounds = await runPublisherBench({ rounds: Number(process.argv[2] ?? 3), seconds: Number(process.argv[3] ?? 4) });
  const ratios = rounds.map((r) => r.sharedRps / r.rawRps).sort((a, b) => a - b);
  console.log(`shared / raw: median ${ratios[Math.floor(ratios.length / 2)]?.toFixed(2)} (${ratios.map((x) => x.toFixed(2)).join(', ')})`);
}
