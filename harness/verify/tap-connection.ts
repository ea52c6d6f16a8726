// The tap's broker plumbing: a named connection, and a channel opened only once the exchange to tap
// is known to exist — with errors that say what failed and what to do.
import amqp, { type Channel, type ChannelModel } from 'amqplib';
import { redactText, redactUrl } from '../redact.ts';

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

export async function connect(amqpUrl: string, connectionName: string): Promise<ChannelModel> {
  try {
    return await amqp.connect(amqpUrl, { timeout: CONNECT_TIMEOUT_MS, noDelay: true, clientProperties: { connection_name: connectionName } });
  } catch (err) {
    throw new VerifyTapError(
      `the verification tap could not connect to the broker at ${redactUrl(amqpUrl)}: ${redactText((err as Error).message, secretsOf(amqpUrl))}. ` +
        'Check that the broker is up and the AMQP URL and credentials are right.',
    );
  }
}

/**
 * Whether the exchange exists, by a passive declare. checkExchange closes the channel when the exchange
 * is missing, so each look runs on a throwaway channel of its own.
 */
export async function exchangeExists(model: ChannelModel, exchange: string, onChannel?: (c: Channel) => void): Promise<boolean> {
  const probe = await model.createChannel();
  onChannel?.(probe);
  probe.on('error', () => {
    // Reported through the rejected checkExchange below.
  });
  try {
    await probe.checkExchange(exchange);
  } catch (err) {
    const msg = (err as Error).message;
    if (/404|NOT_FOUND/.test(msg)) return false;
    throw new VerifyExchangeError(`could not check the verify exchange "${exchange}": ${msg}`);
  }
  await probe.close().catch(() => {});
  return true;
}

/** A consuming channel, opened only once the exchange is known to exist. */
export async function openChannelChecking(model: ChannelModel, exchange: string, onChannel?: (c: Channel) => void): Promise<Channel> {
  if (!(await exchangeExists(model, exchange, onChannel))) {
    throw new VerifyExchangeError(
      `the verify exchange "${exchange}" does not exist on the broker. The target must declare it before ` +
        `it answers its health check (the reference service declares VERIFY_EXCHANGE at start-up), or pass ` +
        `--verify-exchange with the exchange the target publishes accepted calls to.`,
    );
  }
  const channel = await model.createChannel();
  onChannel?.(channel);
  return channel;
}

export async function closeQuietly(model: ChannelModel): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([model.close(), new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)))]);
  } catch {
    // Already closed: nothing left to undo.
  } finally {
    clearTimeout(timer);
  }
}

function secretsOf(url: string): string[] {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password ? [password] : [];
  } catch {
    return [];
  }
}
