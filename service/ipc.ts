// Messages between the primary (consumer, traceability, metrics aggregation) and the units (HTTP).
// Plain JSON over node:cluster's IPC channel.

export type Question = 'metrics' | 'traceability' | 'units';

export type UnitToPrimary =
  | { t: 'rg:trace'; op: 'accepted' | 'withdrawn'; id: string }
  | { t: 'rg:unit-state'; unit: number; listening: boolean; ready: boolean; port?: number }
  | { t: 'rg:ask'; rid: number; q: Question };

export type PrimaryToUnit =
  | { t: 'rg:answer'; rid: number; ok: true; value: unknown }
  | { t: 'rg:answer'; rid: number; ok: false; error: string }
  | { t: 'rg:cluster-ready' };

export function isOurs(message: unknown): message is { t: string } {
  return typeof message === 'object' && message !== null && typeof (message as { t?: unknown }).t === 'string' && (message as { t: string }).t.startsWith('rg:');
}

export class PrimaryUnavailableError extends Error {
  override name = 'PrimaryUnavailableError';
}

/** Unit side: fire-and-forget notes and request/answer questions to the primary. */
export function createPrimaryClient(timeoutMs = 5_000) {
  let nextRid = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }>();
  process.on('message', (message: unknown) => {
    if (!isOurs(message) || message.t !== 'rg:answer') return;
    const answer = message as Extract<PrimaryToUnit, { t: 'rg:answer' }>;
    const waiter = pending.get(answer.rid);
    if (!waiter) return;
    pending.delete(answer.rid);
    clearTimeout(waiter.timer);
    if (answer.ok) waiter.resolve(answer.value);
    else waiter.reject(new PrimaryUnavailableError(answer.error));
  });
  const send = (message: UnitToPrimary): boolean => {
    if (!process.send || !process.connected) return false;
    process.send(message);
    return true;
  };
  return {
    send,
    ask<T>(q: Question): Promise<T> {
      const rid = nextRid++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(rid);
          reject(new PrimaryUnavailableError(`the primary did not answer "${q}" within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(rid, { resolve: resolve as (v: unknown) => void, reject, timer });
        if (!send({ t: 'rg:ask', rid, q })) {
          pending.delete(rid);
          clearTimeout(timer);
          reject(new PrimaryUnavailableError('no IPC channel to the primary'));
        }
      });
    },
  };
}

export type PrimaryClient = ReturnType<typeof createPrimaryClient>;
