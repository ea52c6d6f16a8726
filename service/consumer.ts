import type { Channel, ConsumeMessage } from 'amqplib';
import { ReconnectingConnection } from './amqp/reconnecting-connection.ts';
import type { QueueType } from './config.ts';
import type { Logger } from './log.ts';

export interface ConsumerOptions {
  amqpUrls: readonly string[];
  exchange: string;
  queue: string;
  /** `quorum` on a cluster: replicated, so a message the broker confirmed survives the loss of a node. */
  queueType: QueueType;
  connectTimeoutMs: number;
  /** Simulated work per message, milliseconds. */
  processingMs: number;
  prefetch?: number;
  log: Logger;
  /** Called once per delivered message after its simulated processing, with its messageId. */
  onProcessed(messageId: string | undefined): void;
  onConnection?(open: boolean): void;
}

export interface Consumer {
  /** Resolves after the first connection attempt (topology declared when it succeeded). */
  started: Promise<void>;
  connected(): boolean;
  close(timeoutMs: number): Promise<void>;
}

/**
 * The downstream worker: declares the topology (topic exchange, durable queue bound with '#'), consumes
 * the queue, "processes" each message for a few ms and acks it. It reconnects like the shared publisher;
 * unacked messages of a dropped connection are redelivered by the broker.
 */
export function startConsumer(opts: ConsumerOptions): Consumer {
  let channel: Channel | null = null;
  let consumerTag: string | null = null;
  let inFlight = 0;

  const handle = (ch: Channel) => (msg: ConsumeMessage | null) => {
    if (!msg) return; // the broker cancelled the consumer (queue deleted); the reconnect re-declares it
    inFlight++;
    setTimeout(() => {
      inFlight--;
      opts.onProcessed(msg.properties.messageId as string | undefined);
      // After a reconnect this delivery belongs to a dead channel; the broker redelivers it.
      if (channel === ch) {
        try {
          ch.ack(msg);
        } catch {
          /* channel closed under us: redelivered later */
        }
      }
    }, opts.processingMs);
  };

  const connection = new ReconnectingConnection({
    urls: opts.amqpUrls,
    name: 'ingest-consumer',
    connectTimeoutMs: opts.connectTimeoutMs,
    log: opts.log,
    async setup(conn) {
      const ch = await conn.createChannel();
      ch.on('error', (err: Error) => opts.log.throttled('consumer-channel', `consumer channel failed: ${err.message}`));
      ch.on('close', () => {
        if (channel === ch) {
          channel = null;
          connection.reset('the consumer channel closed');
        }
      });
      await ch.assertExchange(opts.exchange, 'topic', { durable: true });
      await ch.assertQueue(opts.queue, { durable: true, arguments: opts.queueType === 'quorum' ? { 'x-queue-type': 'quorum' } : {} });
      await ch.bindQueue(opts.queue, opts.exchange, '#');
      await ch.prefetch(opts.prefetch ?? 64);
      channel = ch;
      consumerTag = (await ch.consume(opts.queue, handle(ch), { noAck: false })).consumerTag;
    },
    onOpened: () => opts.onConnection?.(true),
    onClosed: () => {
      channel = null;
      opts.onConnection?.(false);
    },
  });

  return {
    started: connection.start(),
    connected: () => connection.current !== null && channel !== null,
    async close(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      if (channel && consumerTag) await channel.cancel(consumerTag).catch(() => {});
      while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      // Let the last acks reach the socket before the close frame.
      await connection.close(Math.max(500, deadline - Date.now()));
    },
  };
}
