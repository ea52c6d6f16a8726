// The verification tap: the harness's own queue on the target's exchange, bound before the load starts,
// so every message the target publishes during the run is seen once, whatever the target's own
// consumers do with theirs. Reconciled afterwards against each request's HTTP outcome.
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { registerCleanup } from '../lifecycle/cleanup.ts';
import type { IntegrityReport } from '../run-record.ts';
import { IdLedger } from './id-ledger.ts';

export const DEFAULT_TAP_CONNECTION_NAME = 'rushgate-verify-tap';
const CONNECT_TIMEOUT_MS = 10_000;
const CLOSE_TIMEOUT_MS = 2_000;

/** The exchange to tap does not exist (or cannot be read): the run cannot reconcile anything. */
export class VerifyExchangeError extends Error {
  override name = 'VerifyExchangeError';
}

/** The tap could not connect to the broker or set up its queue. */
export class VerifyTapError extends Error {
  override name = 'VerifyTapError';
}

export interface VerificationTapOptions {
  amqpUrl: string;
  exchange: string;
  /** Binding key; '#' takes everything on a topic exchange (ignored by fanout). */
  routingKey?: string;
  runId: string;
  /** Must start with `rushgate-`: the broker sampler leaves such connections out of the target's count. */
  connectionName?: string;
  /** Sizes the per-request arrays up front (they grow when exceeded). */
  expectedRequests?: number;
  log?: (line: string) => void;
}

export interface DrainResult {
  /** True when no message came for quietMs and the queue was empty; false when timeoutMs ran out first. */
  quiet: boolean;
  waitedMs: number;
  messages: number;
}

export interface VerificationTap {
  readonly queue: string;
  /** Feed it from the driver's onOutcome: status 0 = no response, with the failure kind. */
  recordOutcome(seq: number, status: number, errorKind?: string): void;
  /** Messages received so far (this run's, duplicates and foreign). */
  messages(): number;
  /** Waits until no message has arrived for quietMs and the queue is empty, or timeoutMs passed. */
  drain(opts?: { quietMs?: number; timeoutMs?: number }): Promise<DrainResult>;
  reconcile(): IntegrityReport;
  /** What the tap holds on the broker, for the sampler's harness-connection accounting. */
  usage(): { connections: number; channels: number };
  /** Closes the tap's connection; safe to call more than once. */
  stop(): Promise<void>;
}

export async function startVerificationTap(opts: VerificationTapOptions): Promise<VerificationTap> {
  const routingKey = opts.routingKey ?? '#';
  const connectionName = opts.connectionName ?? DEFAULT_TAP_CONNECTION_NAME;
  if (!connectionName.startsWith('rushgate-')) {
    throw new VerifyTapError(`tap connection name "${connectionName}" must start with "rushgate-" so the broker sampler does not count it as the target's`);
  }
  const ledger = new IdLedger({ runId: opts.runId, expectedRequests: opts.expectedRequests });

  let model: ChannelModel;
  try {
    model = await amqp.connect(opts.amqpUrl, {
      timeout: CONNECT_TIMEOUT_MS,
      noDelay: true,
      clientProperties: { connection_name: connectionName },
    });
  } catch (err) {
    throw new VerifyTapError(
      `the verification tap could not connect to the broker: ${(err as Error).message}. ` +
        'Check that the broker is up and the AMQP URL and credentials are right.',
    );
  }

  let stopping = false;
  let interrupted: IntegrityReport['tapInterrupted'];
  let lastMessageAt = Date.now();
  model.on('error', () => {
    // The 'close' event that follows carries the same story; this listener only keeps it from throwing.
  });
  model.on('close', (err?: Error) => {
    if (stopping) return;
    interrupted = { atIso: new Date().toISOString(), reason: err?.message ?? 'connection closed by the broker' };
    opts.log?.(`verify: tap connection lost (${interrupted.reason}); messages from now on are not seen`);
  });

  let channel: Channel;
  let queue: string;
  try {
    channel = await openChannelChecking(model, opts.exchange);
    channel.on('error', () => {
      // A channel error also closes the connection's view of it; the connection 'close' handler reports.
    });
    // Exclusive + auto-delete: the queue lives exactly as long as this connection, so an interrupted
    // harness leaves nothing behind on the broker.
    const declared = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    queue = declared.queue;
    await channel.bindQueue(queue, opts.exchange, routingKey);
    await channel.consume(
      queue,
      (msg: ConsumeMessage | null) => {
        if (!msg) return; // consumer cancelled by the broker (queue deleted); 'close' or stop() tells the rest
        lastMessageAt = Date.now();
        ledger.recordMessage(msg.properties.messageId);
      },
      { noAck: true, exclusive: true },
    );
  } catch (err) {
    stopping = true;
    await closeQuietly(model);
    throw err;
  }

  let lastDrain: IntegrityReport['drain'];
  const stopOnce = registerCleanup({
    name: `verification tap on ${opts.exchange}`,
    run: async () => {
      stopping = true;
      await closeQuietly(model);
    },
  });

  return {
    queue,
    recordOutcome: (seq, status, errorKind) => ledger.recordOutcome(seq, status, errorKind),
    messages: () => ledger.messages(),
    async drain({ quietMs = 1_000, timeoutMs = 15_000 } = {}) {
      const started = Date.now();
      const deadline = started + timeoutMs;
      let quiet = false;
      while (!stopping && !interrupted) {
        const now = Date.now();
        if (now - lastMessageAt >= quietMs && (await queueDepth(channel, queue)) === 0) {
          quiet = true;
          break;
        }
        if (now >= deadline) break;
        const wait = Math.min(Math.max(10, lastMessageAt + quietMs - now), deadline - now, 250);
        await sleep(Math.max(10, wait));
      }
      const waitedMs = Date.now() - started;
      lastDrain = { quiet, waitedMs, quietMs, timeoutMs };
      return { quiet, waitedMs, messages: ledger.messages() };
    },
    reconcile() {
      const report = ledger.reconcile({ exchange: opts.exchange, routingKey });
      if (lastDrain) report.drain = lastDrain;
      if (interrupted) report.tapInterrupted = interrupted;
      return report;
    },
    usage: () => (stopping || interrupted ? { connections: 0, channels: 0 } : { connections: 1, channels: 1 }),
    stop: stopOnce,
  };
}

/**
 * checkExchange closes the channel when the exchange is missing, so it runs on a throwaway channel
 * and the consuming channel is opened only once the exchange is known to exist.
 */
async function openChannelChecking(model: ChannelModel, exchange: string): Promise<Channel> {
  const probe = await model.createChannel();
  probe.on('error', () => {
    // Reported through the rejected checkExchange below.
  });
  try {
    await probe.checkExchange(exchange);
  } catch (err) {
    const msg = (err as Error).message;
    if (/404|NOT_FOUND/.test(msg)) {
      throw new VerifyExchangeError(
        `the verify exchange "${exchange}" does not exist on the broker. The target must declare it before ` +
          `it answers its health check (the reference service declares VERIFY_EXCHANGE at start-up), or pass ` +
          `--verify-exchange with the exchange the target publishes accepted calls to.`,
      );
    }
    throw new VerifyExchangeError(`could not check the verify exchange "${exchange}": ${msg}`);
  }
  await probe.close().catch(() => {});
  return model.createChannel();
}

async function queueDepth(channel: Channel, queue: string): Promise<number> {
  try {
    return (await channel.checkQueue(queue)).messageCount;
  } catch {
    return 0; // the channel is gone; drain() stops on the interruption flag
  }
}

async function closeQuietly(model: ChannelModel): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([model.close(), new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)))]);
  } catch {
    // Already closed: nothing left to undo.
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
