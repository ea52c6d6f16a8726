// The target's own view of its events after the run (the reference service's GET /traceability): how
// many accepted calls are still "waiting" — the outage's residue — next to what the tap reconciled.
import type { IntegrityReport } from '../run-record.ts';

export type WorkerStatus = NonNullable<IntegrityReport['worker']>;

/**
 * Reads `{ accepted, processed, waiting, ... }` from the target. Undefined when the target has no such
 * endpoint or answers something else: it is an optional part of the target contract.
 */
export async function fetchWorkerStatus(url: string, timeoutMs = 3_000): Promise<WorkerStatus | undefined> {
  let body: unknown;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
    if (!res.ok) return undefined;
    body = await res.json();
  } catch {
    return undefined;
  }
  return parseWorkerStatus(body);
}

export function parseWorkerStatus(body: unknown): WorkerStatus | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  const count = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);
  const accepted = count(b.accepted);
  const processed = count(b.processed);
  const waiting = count(b.waiting);
  if (accepted === undefined || processed === undefined || waiting === undefined) return undefined;
  const status: WorkerStatus = { accepted, processed, waiting };
  const withdrawn = count(b.withdrawn);
  if (withdrawn !== undefined) status.withdrawn = withdrawn;
  if (Array.isArray(b.waitingSample)) {
    status.waitingSample = b.waitingSample.filter((s): s is string => typeof s === 'string').slice(0, 20).map((s) => s.slice(0, 200));
  }
  return status;
}
