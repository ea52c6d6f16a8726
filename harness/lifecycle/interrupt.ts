// A first Ctrl-C (or SIGTERM) during the load means "stop and tell me what you saw": the load stops, the
// run's report is written, then everything is cleaned up and the process exits 130/143. This module is
// the small shared state between the signal handler (lifecycle/cleanup.ts), the run that stops its load,
// and the command that writes the report.

export interface Interruption {
  signal: NodeJS.Signals;
  /** Date.now() when the signal arrived. */
  atMs: number;
}

let interrupted: Interruption | undefined;
let reportable = false;
const listeners = new Set<(i: Interruption) => void>();
const deferrals = new Set<Promise<unknown>>();

export function interruption(): Interruption | undefined {
  return interrupted;
}

/** Called when the run is stopped by a signal; returns the unsubscribe. */
export function onInterrupt(listener: (i: Interruption) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** From here on an interruption has something to report (the load has started). */
export function markReportable(): void {
  reportable = true;
}

/** The signal handler waits (bounded) for `work` before cleaning up, once the run is reportable. */
export function deferExitUntil(work: Promise<unknown>): void {
  const settled = work.then(
    () => undefined,
    () => undefined,
  );
  deferrals.add(settled);
  void settled.then(() => deferrals.delete(settled));
}

/** Records the signal and tells every listener; returns how long the handler should wait for reports. */
export function noteInterrupt(signal: NodeJS.Signals): void {
  interrupted ??= { signal, atMs: Date.now() };
  for (const l of [...listeners]) {
    try {
      l(interrupted);
    } catch {
      // A listener's failure must not stop the others, nor the exit.
    }
  }
}

/** True when the handler should wait for a report before cleaning up. */
export function reportPending(): boolean {
  return reportable && deferrals.size > 0;
}

/** Waits for pending reports, at most `timeoutMs`. */
export async function waitForReports(timeoutMs: number): Promise<void> {
  if (!reportPending()) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all([...deferrals]), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
  clearTimeout(timer);
}
