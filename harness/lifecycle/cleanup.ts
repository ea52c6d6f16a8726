import { noteInterrupt, reportPending, waitForReports } from './interrupt.ts';

// One place that knows everything a run must undo: brokers, services, containers, temp dirs, faults.
// Async cleanups run on normal paths and on SIGINT/SIGTERM; the sync fallbacks run on a hard `exit`,
// where nothing asynchronous can happen any more, so a run leaves nothing behind whichever way it ends.

export interface Cleanup {
  name: string;
  /** Orderly undo (e.g. SIGTERM and wait, then remove the temp dir). */
  run: () => Promise<void>;
  /** Last-resort undo that must be synchronous (SIGKILL by PID, rmSync). */
  runSync?: () => void;
}

const pending = new Map<number, Cleanup>();
let nextId = 1;
let signalsInstalled = false;
let shuttingDown: Promise<void> | undefined;

/** Registers a cleanup; returns a function that runs it once and unregisters it. */
export function registerCleanup(cleanup: Cleanup): () => Promise<void> {
  installSignalHandlers();
  const id = nextId++;
  pending.set(id, cleanup);
  let done: Promise<void> | undefined;
  return () => {
    done ??= (async () => {
      try {
        await cleanup.run();
      } finally {
        pending.delete(id);
      }
    })();
    return done;
  };
}

/** Runs every pending cleanup, newest first (a service before the broker it talks to). */
export function cleanupAll(): Promise<void> {
  shuttingDown ??= (async () => {
    const entries = [...pending.entries()].reverse();
    for (const [id, cleanup] of entries) {
      try {
        await cleanup.run();
      } catch (err) {
        process.stderr.write(`rushgate: cleanup of ${cleanup.name} failed: ${(err as Error).message}\n`);
      } finally {
        pending.delete(id);
      }
    }
  })();
  return shuttingDown;
}

export function pendingCleanups(): string[] {
  return [...pending.values()].map((c) => c.name);
}

/** Seconds a first Ctrl-C waits for the interrupted run's report before cleaning up anyway. */
const REPORT_GRACE_MS = 30_000;

function installSignalHandlers(): void {
  if (signalsInstalled) return;
  signalsInstalled = true;
  let received = false;
  const onSignal = (signal: NodeJS.Signals, code: number) => {
    // A second Ctrl-C means "now": exit at once, and the exit hook kills every group by PID. The handler
    // stays installed (process.on, not once), or the second signal would kill Node before that hook ran.
    if (received) {
      process.stderr.write(`\nrushgate: ${signal} again: killing everything this run started, now.\n`);
      process.exit(code);
    }
    received = true;
    const reporting = reportPending();
    process.stderr.write(
      `\nrushgate: ${signal} received, stopping everything this run started` +
        (reporting ? ' once the report of what was measured is written (press Ctrl-C again to stop now)...\n' : '...\n'),
    );
    noteInterrupt(signal);
    void waitForReports(REPORT_GRACE_MS)
      .then(() => cleanupAll())
      .finally(() => process.exit(code));
  };
  process.on('SIGINT', () => onSignal('SIGINT', 130));
  process.on('SIGTERM', () => onSignal('SIGTERM', 143));
  process.on('SIGHUP', () => onSignal('SIGHUP', 129));
  process.on('exit', () => {
    for (const cleanup of [...pending.values()].reverse()) {
      try {
        cleanup.runSync?.();
      } catch {
        // Nothing more can be done on exit; keep undoing the rest.
      }
    }
  });
}
