import amqp, { type ChannelModel } from 'amqplib';

/**
 * Every connection the service opens goes through here, so all of them get:
 * - a connect timeout: past connection_max the broker accepts TCP and never answers, and amqplib
 *   without one waits forever;
 * - noDelay: Nagle costs ~44 ms per handshake round trip (48 ms vs 4 ms per connect, DESIGN.md);
 * - a connection_name, so the broker (and rushgate's reports) can tell whose connection it is.
 */
export function connectAmqp(url: string, name: string, timeoutMs: number): Promise<ChannelModel> {
  return amqp.connect(url, { timeout: timeoutMs, noDelay: true, clientProperties: { connection_name: name } });
}

/** Best-effort close that never throws: used on paths that are already failing or shutting down. */
export async function closeQuietly(target: { close(): Promise<void> } | null | undefined, timeoutMs = 2_000): Promise<void> {
  if (!target) return;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([target.close(), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  } catch {
    // Already closed, or the broker went away: either way there is nothing left to close.
  } finally {
    clearTimeout(timer);
  }
}
