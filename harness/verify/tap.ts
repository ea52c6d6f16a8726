// The verification tap: the harness's own queue on the target's exchange, bound before the load starts,
// so every message the target publishes during the run is seen once, whatever the target's own
// consumers do with theirs. Reconciled afterwards against each request's HTTP outcome.
//
// Two modes. By default the queue is exclusive and auto-delete, consumed without acks: cheapest, and
// nothing is left on the broker whatever happens to the harness — but if the tap's connection drops,
// the queue goes with it and the reconciliation is marked inconclusive. With `durable: true` (for
// chaos runs that restart the broker or kill connections) the queue is named, durable and expiring,
// messages are acked in batches, and the tap reconnects and resumes where it left off.
import { randomBytes } from 'node:crypto';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { registerCleanup } from '../lifecycle/cleanup.ts';
import { wallMs } from '../probe/run-clock.ts';
import { TimedCount } from '../probe/timed-count.ts';
import type { IntegrityReport } from '../run-record.ts';
import { IdLedger } from './id-ledger.ts';
import { closeQuietly, connect, exchangeExists, openChannelChecking, VerifyExchangeError, VerifyTapError } from './tap-connection.ts';

export { VerifyExchangeError, VerifyTapError } from './tap-connection.ts';

export const DEFAULT_TAP_CONNECTION_NAME = 'rushgate-verify-tap';
const DURABLE_PREFETCH = 2_000;
const ACK_EVERY = 256;
const ACK_INTERVAL_MS = 50;
/**
 * How long after the client saw a channel close the broker may still not have counted it (a loaded
 * broker). 500 ms was too short on a loaded CI machine: a reading taken while the tap looked then counted
 * the target one close fewer than a later one, which can charge a healthy target one channel of churn. A
 * longer margin errs the other way only: a reading taken while the tap looks counts up to this long of
 * its looks (10 a second) as the target's, so a count that starts from such a reading comes out lower.
 */
export const CLOSE_COUNTED_WITHIN_MS = 2_000;
/** A durable tap queue nobody uses for this long is deleted by the broker (a harness killed with -9). */
const DURABLE_QUEUE_EXPIRES_MS = 10 * 60_000;
/**
 * A late-bound tap treats answers this soon after binding as answered before it too: a request published
 * just before the bind may be answered just after it (its confirm takes a moment under load).
 */
const LATE_BIND_MARGIN_MS = 1_000;

export interface VerificationTapOptions {
  amqpUrl: string;
  /**
   * Every node of a cluster (first = amqpUrl). Durable mode then declares a quorum queue, which outlives
   * any one node, and reconnects to the next node when its own goes away.
   */
  amqpUrls?: string[];
  exchange: string;
  /** Binding key; '#' takes everything on a topic exchange (ignored by fanout). */
  routingKey?: string;
  runId: string;
  /** Must start with `rushgate-`: the broker sampler leaves such connections out of the target's count. */
  connectionName?: string;
  /** Sizes the per-request arrays up front (they grow when exceeded). */
  expectedRequests?: number;
  /** Survive a dropped connection or a broker restart (named durable queue, acks, reconnect). */
  durable?: boolean;
  /** Durable mode: how long to keep trying to reconnect before giving up (default 60 s). */
  reconnectTimeoutMs?: number;
  /**
   * When the exchange does not exist yet, wait for it instead of failing (a target that declares it on
   * first publish): look every pollMs, bind as soon as it appears, give up graceMs after the first 2xx.
   * `clock` (seconds since load start) dates the bind in the report.
   */
  attachWhenDeclared?: { clock: () => number; graceMs?: number; pollMs?: number };
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
  /** Resolves once the tap is bound; rejects with a VerifyExchangeError when a late exchange never appeared. */
  readonly attached: Promise<void>;
  /** Feed it from the driver's onOutcome: status 0 = no response, with the failure kind. */
  recordOutcome(seq: number, status: number, errorKind?: string): void;
  /** Messages received so far (this run's, duplicates and foreign). */
  messages(): number;
  /** Waits until no message has arrived for quietMs and the queue is empty, or timeoutMs passed. */
  drain(opts?: { quietMs?: number; timeoutMs?: number }): Promise<DrainResult>;
  reconcile(): IntegrityReport;
  /**
   * What the tap holds on the broker, and the channels it opened and closed by `asOfMs` (wall-clock ms,
   * wallMs; default now), for the sampler's accounting of a reading the broker took then.
   */
  usage(asOfMs?: number): { connections: number; channels: number; channelsOpened: number; channelsClosed: number };
  /** Closes the tap's connection (durable mode: deletes its queue first); safe to call more than once. */
  stop(): Promise<void>;
}

interface Subscription {
  model: ChannelModel;
  channel: Channel;
}

export async function startVerificationTap(opts: VerificationTapOptions): Promise<VerificationTap> {
  const routingKey = opts.routingKey ?? '#';
  const connectionName = opts.connectionName ?? DEFAULT_TAP_CONNECTION_NAME;
  const durable = opts.durable ?? false;
  if (!connectionName.startsWith('rushgate-')) {
    throw new VerifyTapError(`tap connection name "${connectionName}" must start with "rushgate-" so the broker sampler does not count it as the target's`);
  }
  const ledger = new IdLedger({ runId: opts.runId, expectedRequests: opts.expectedRequests });
  // Durable mode needs the name up front to find its queue again; exclusive mode lets the broker name it.
  let queue = durable ? `rushgate-verify-${opts.runId}-${randomBytes(3).toString('hex')}` : '';

  let stopping = false;
  let interrupted: IntegrityReport['tapInterrupted'];
  let reconnects = 0;
  let current: Subscription | undefined;
  let lastMessageAt = Date.now();
  // The newest delivery not yet acked, with the channel it came on: a delivery tag means nothing on
  // any other channel (acking it there would close that channel).
  let unacked: { channel: Channel; msg: ConsumeMessage } | undefined;
  let unackedCount = 0;

  const interrupt = (reason: string) => {
    if (stopping || interrupted) return;
    interrupted = { atIso: new Date().toISOString(), reason };
    opts.log?.(`verify: tap stopped receiving (${reason}); messages from now on are not seen`);
  };

  const flushAcks = () => {
    const pending = unacked;
    unacked = undefined;
    unackedCount = 0;
    if (!pending || pending.channel !== current?.channel) return;
    try {
      pending.channel.ack(pending.msg, true);
    } catch {
      // The channel is gone; the broker requeues these and the redelivery is recognised below.
    }
  };
  const ackTimer = durable ? setInterval(flushAcks, ACK_INTERVAL_MS) : undefined;
  ackTimer?.unref();

  const onMessage = (channel: Channel, msg: ConsumeMessage | null) => {
    if (!msg) return interrupt('the broker cancelled the tap consumer (its queue was deleted?)');
    lastMessageAt = Date.now();
    if (msg.fields.redelivered) ledger.recordRedelivery(msg.properties.messageId);
    else ledger.recordMessage(msg.properties.messageId);
    if (durable) {
      unacked = { channel, msg };
      if (++unackedCount >= ACK_EVERY) flushAcks();
    }
  };

  // Every channel the tap opens and closes (each look for the exchange is one), with when, so the sampler
  // can take them out of the broker's channel counters as of each reading: they are not the target's churn.
  const channelsOpened = new TimedCount();
  const channelsClosed = new TimedCount();
  const track = (channel: Channel) => {
    channelsOpened.add();
    channel.once('close', () => channelsClosed.add());
  };

  const urls = opts.amqpUrls && opts.amqpUrls.length > 0 ? opts.amqpUrls : [opts.amqpUrl];
  let urlIndex = 0;
  const replicated = durable && urls.length > 1;
  // On a cluster any node will do: the first that answers, starting with the one that last did.
  const connectAny = async (): Promise<ChannelModel> => {
    for (let tried = 1; ; tried++) {
      try {
        return await connect(urls[urlIndex % urls.length] as string, connectionName);
      } catch (err) {
        if (tried >= urls.length) throw err;
        urlIndex++;
      }
    }
  };
  const subscribe = async (given?: ChannelModel): Promise<Subscription> => {
    const model = given ?? (await connectAny());
    // Until watch() takes over: a connection the broker closes with an error while the queue is declared
    // (e.g. 541 on a cluster node that cannot host a quorum queue) rejects the declare below; without a
    // listener its 'error' event would also be thrown out of amqplib and take the run down uncaught.
    const early = () => {};
    model.on('error', early);
    try {
      const channel = await openChannelChecking(model, opts.exchange, track);
      channel.on('error', () => {
        // Reported by the 'close' handlers below.
      });
      // Exclusive + auto-delete: the queue lives exactly as long as this connection, so an interrupted
      // harness leaves nothing behind. Durable: it outlives the connection and the node, and expires
      // on its own if the harness never comes back for it.
      const declared = durable
        ? await channel.assertQueue(queue, {
            durable: true,
            autoDelete: false,
            exclusive: false,
            expires: DURABLE_QUEUE_EXPIRES_MS,
            arguments: replicated ? { 'x-queue-type': 'quorum' } : {},
          })
        : await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
      queue = declared.queue;
      await channel.bindQueue(queue, opts.exchange, routingKey);
      if (durable) await channel.prefetch(DURABLE_PREFETCH);
      await channel.consume(queue, (msg) => onMessage(channel, msg), { noAck: !durable, exclusive: true });
      model.off('error', early);
      return { model, channel };
    } catch (err) {
      await closeQuietly(model);
      throw err;
    }
  };

  const watch = (sub: Subscription) => {
    let lost = false;
    const onLost = (reason: string) => {
      if (lost || stopping) return;
      lost = true;
      if (current === sub) current = undefined;
      unacked = undefined;
      unackedCount = 0;
      if (!durable) return interrupt(reason);
      opts.log?.(`verify: tap connection lost (${reason}); reconnecting to queue ${queue}`);
      void reconnect(reason);
    };
    sub.model.on('error', () => {
      // The 'close' event that follows carries the same story.
    });
    sub.model.on('close', (err?: Error) => onLost(err?.message ?? 'connection closed by the broker'));
    // Deferred: when the whole connection goes, its own close carries the better reason.
    sub.channel.on('close', () => setImmediate(() => onLost('the tap channel closed')));
  };

  const reconnect = async (reason: string) => {
    const deadline = Date.now() + (opts.reconnectTimeoutMs ?? 60_000);
    let delay = 200;
    while (!stopping && Date.now() < deadline) {
      await sleep(delay);
      if (stopping) return;
      try {
        const sub = await subscribe();
        if (stopping) return void (await closeQuietly(sub.model));
        current = sub;
        watch(sub);
        reconnects++;
        opts.log?.(`verify: tap resumed on queue ${queue}`);
        return;
      } catch (err) {
        if (err instanceof VerifyExchangeError) return interrupt(`${reason}; after reconnecting: ${err.message}`);
        // On a cluster the tap's node may be the one that went: try the next.
        urlIndex++;
        delay = Math.min(delay * 2, 2_000);
      }
    }
    interrupt(`${reason}; could not reconnect within ${Math.round((opts.reconnectTimeoutMs ?? 60_000) / 1000)} s`);
  };

  // Late binding: answers before the bind (and a margin after it) cannot be reconciled, only noted.
  const late = opts.attachWhenDeclared;
  let pending: ChannelModel | undefined;
  let boundLate: IntegrityReport['tapBoundLate'];
  let boundAtMs: number | undefined;
  let first2xxAtMs: number | undefined;
  const startedAtMs = Date.now();
  let boundLater = false;
  const answeredBeforeTap = () => boundLater && (boundAtMs === undefined || Date.now() < boundAtMs + LATE_BIND_MARGIN_MS);

  const probe = (model: ChannelModel) => exchangeExists(model, opts.exchange, track);
  const waitForExchange = async (model: ChannelModel): Promise<void> => {
    const graceMs = late?.graceMs ?? 2_000;
    while (!stopping) {
      if (await probe(model)) return;
      if (first2xxAtMs !== undefined && Date.now() > first2xxAtMs + graceMs) {
        throw new VerifyExchangeError(
          `the verify exchange "${opts.exchange}" still did not exist ${(graceMs / 1000).toFixed(1)} s after the target's first 2xx answer. ` +
            'The target must declare the exchange it publishes accepted calls to (at start-up, or at the latest when it first publishes), ' +
            'or pass --verify-exchange with the exchange it does publish to.',
        );
      }
      await sleep(late?.pollMs ?? 100);
    }
  };

  let attached: Promise<void>;
  try {
    if (!late) {
      current = await subscribe();
      attached = Promise.resolve();
    } else {
      const model = await connectAny();
      if (await probe(model).catch(async (err: unknown) => (await closeQuietly(model), Promise.reject(err)))) {
        current = await subscribe(model);
        attached = Promise.resolve();
      } else {
        pending = model;
        boundLater = true;
        opts.log?.(`verify: exchange "${opts.exchange}" does not exist yet; the tap is bound when the target declares it`);
        attached = waitForExchange(model).then(
          async () => {
            if (stopping) return void (await closeQuietly(model));
            const sub = await subscribe(model);
            boundAtMs = Date.now();
            boundLate = { atIso: new Date(boundAtMs).toISOString(), atSec: Math.round(late.clock() * 1000) / 1000, waitedMs: boundAtMs - startedAtMs };
            current = sub;
            pending = undefined;
            watch(sub);
            opts.log?.(`verify: tap bound to "${opts.exchange}" at ${boundLate.atSec.toFixed(1)} s; earlier answers are not reconciled`);
          },
          async (err: unknown) => {
            pending = undefined;
            await closeQuietly(model);
            interrupt((err as Error).message);
            throw err;
          },
        );
        // The caller may only look at it after the load started; the rejection is not lost meanwhile.
        attached.catch(() => {});
      }
    }
  } catch (err) {
    if (ackTimer) clearInterval(ackTimer);
    throw err;
  }
  if (current) watch(current);

  let lastDrain: IntegrityReport['drain'];
  const stopOnce = registerCleanup({
    name: `verification tap on ${opts.exchange}`,
    run: async () => {
      stopping = true;
      if (ackTimer) clearInterval(ackTimer);
      if (pending) await closeQuietly(pending);
      const sub = current;
      current = undefined;
      if (!sub) return;
      if (durable) await sub.channel.deleteQueue(queue).catch(() => {});
      await closeQuietly(sub.model);
    },
  });

  return {
    get queue() {
      return queue;
    },
    attached,
    recordOutcome: (seq, status, errorKind) => {
      if (boundLater && first2xxAtMs === undefined && status >= 200 && status < 300) first2xxAtMs = Date.now();
      ledger.recordOutcome(seq, status, errorKind, answeredBeforeTap());
    },
    messages: () => ledger.messages(),
    async drain({ quietMs = 1_000, timeoutMs = 15_000 } = {}) {
      const started = Date.now();
      const deadline = started + timeoutMs;
      let quiet = false;
      while (!stopping && !interrupted) {
        const now = Date.now();
        if (current && now - lastMessageAt >= quietMs && (await queueDepth(current.channel, queue)) === 0) {
          quiet = true;
          break;
        }
        if (now >= deadline) break;
        await sleep(Math.max(10, Math.min(lastMessageAt + quietMs - now, deadline - now, 250)));
      }
      flushAcks();
      const waitedMs = Date.now() - started;
      lastDrain = { quiet, waitedMs, quietMs, timeoutMs };
      return { quiet, waitedMs, messages: ledger.messages() };
    },
    reconcile() {
      const report = ledger.reconcile({ exchange: opts.exchange, routingKey });
      if (lastDrain) report.drain = lastDrain;
      if (boundLate) report.tapBoundLate = boundLate;
      else if (boundLater && !interrupted) {
        report.tapInterrupted = { atIso: new Date(startedAtMs).toISOString(), reason: `the exchange "${opts.exchange}" never appeared, so the tap was never bound` };
      }
      if (interrupted) report.tapInterrupted = interrupted;
      if (reconnects > 0) report.tapReconnects = reconnects;
      return report;
    },
    usage: (asOfMs = wallMs()) => ({
      ...(current ? { connections: 1, channels: 1 } : pending ? { connections: 1, channels: 0 } : { connections: 0, channels: 0 }),
      // An open is counted by the broker before amqplib reports it; a close only after the client's 'close'
      // (the broker counts it when the channel ends, after close-ok). So a close is taken out from a margin
      // later: a reading may count a recent close of the tap's as the target's, never the reverse.
      channelsOpened: channelsOpened.asOf(asOfMs),
      channelsClosed: channelsClosed.asOf(asOfMs - CLOSE_COUNTED_WITHIN_MS),
    }),
    stop: stopOnce,
  };
}

async function queueDepth(channel: Channel, queue: string): Promise<number> {
  try {
    return (await channel.checkQueue(queue)).messageCount;
  } catch {
    return 0; // the channel is gone; drain() stops on the interruption flag
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
