import amqp from 'amqplib';

// Readiness checks as small objects with explicit timeouts, in the manner of testcontainers' wait
// strategies: each says what it waited for, and for how long, when it gives up.

export class ReadinessTimeoutError extends Error {
  override name = 'ReadinessTimeoutError';
}

export interface HttpReadiness {
  /** What is awaited, for the error message, e.g. "RabbitMQ management API". */
  what: string;
  url: string;
  headers?: Record<string, string>;
  timeoutMs: number;
  intervalMs?: number;
  /** Gives up early (with this reason) when it returns a string, e.g. "the process exited with code 1". */
  failFast?: () => string | undefined;
  /** Shown instead of the URL in errors when the URL carries something sensitive. */
  displayUrl?: string;
}

export async function waitForHttp(check: HttpReadiness): Promise<void> {
  const started = Date.now();
  const interval = check.intervalMs ?? 200;
  let lastProblem = 'no answer yet';
  while (Date.now() - started < check.timeoutMs) {
    const fatal = check.failFast?.();
    if (fatal) throw new ReadinessTimeoutError(`${check.what} never became ready: ${fatal}`);
    try {
      const res = await fetch(check.url, { headers: check.headers, signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.ok) return;
      lastProblem = `HTTP ${res.status}`;
    } catch (err) {
      lastProblem = describeFetchError(err);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
  throw new ReadinessTimeoutError(
    `${check.what} at ${check.displayUrl ?? check.url} was not ready after ${(check.timeoutMs / 1000).toFixed(0)} s ` +
      `(last: ${lastProblem}).`,
  );
}

function describeFetchError(err: unknown): string {
  const cause = (err as { cause?: { code?: string } }).cause;
  if (cause?.code) return cause.code;
  return (err as Error).name === 'TimeoutError' ? 'request timed out' : (err as Error).message;
}

export interface AmqpReadiness {
  what: string;
  url: string;
  timeoutMs: number;
  intervalMs?: number;
  failFast?: () => string | undefined;
  /** Shown instead of the URL (which carries the password) in errors. */
  displayUrl: string;
}

/**
 * Waits for a full AMQP handshake (connect, then close). A node's HTTP listeners answer ~100 ms before
 * its AMQP listener does, so only this says the broker can take the target's connections.
 */
export async function waitForAmqp(check: AmqpReadiness): Promise<void> {
  const started = Date.now();
  let lastProblem = 'no answer yet';
  while (Date.now() - started < check.timeoutMs) {
    const fatal = check.failFast?.();
    if (fatal) throw new ReadinessTimeoutError(`${check.what} never became ready: ${fatal}`);
    try {
      const conn = await amqp.connect(check.url, { timeout: 2_000 });
      await conn.close();
      return;
    } catch (err) {
      lastProblem = (err as { code?: string }).code ?? (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, check.intervalMs ?? 100));
  }
  throw new ReadinessTimeoutError(
    `${check.what} at ${check.displayUrl} was not ready after ${(check.timeoutMs / 1000).toFixed(0)} s (last: ${lastProblem}).`,
  );
}
