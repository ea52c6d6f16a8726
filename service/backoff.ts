// "Full jitter" backoff: units that lost the broker together must not all come back in the same instant.

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  random?: () => number;
}

export function backoffDelay(attempt: number, opts: BackoffOptions): number {
  const ceiling = Math.min(opts.capMs, opts.baseMs * 2 ** Math.min(attempt, 30));
  const random = opts.random ?? Math.random;
  // Never zero: a broker that refuses at once would otherwise be hammered in a tight loop.
  return Math.max(opts.baseMs / 2, Math.round(random() * ceiling));
}
