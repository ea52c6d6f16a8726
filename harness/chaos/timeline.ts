import { registerCleanup } from '../lifecycle/cleanup.ts';
import type { TimelineEvent } from '../run-record.ts';
import { InjectionUncertain, type Fault, type FaultContext, type Revert } from './fault.ts';
import { retryDelayMs } from './revert-retry.ts';

export interface ScheduledFault {
  /** Seconds since load start. */
  atSec: number;
  /**
   * How long it stays. Without it the fault is a one-off (kill connections, broker restart): it ends as soon
   * as its revert resolves, which for a restart is when the broker is back.
   */
  forSec?: number;
  fault: Fault;
  /** Its index in the scenario's chaos list (the timeline numbers them in order when absent). */
  id?: number;
}

export interface FaultTimeline {
  /** Descriptions of the faults active now. */
  active(): string[];
  /** Cancels what has not started and reverts what is active (retrying a failing revert for a while). Idempotent. */
  stop(): Promise<void>;
}

export interface FaultTimelineOptions {
  /** How long stop() keeps retrying a failing revert before it gives up (the cleanup registry tries once more). */
  revertGraceMs?: number;
}

const DEFAULT_REVERT_GRACE_MS = 30_000;
/**
 * Faults that only evaluate Erlang on the broker (alarms) are handed to the control node this long before
 * their time, to be held there until it: a harness event loop busy with the load (hundreds of ms late under
 * full load here) then does not make them late.
 */
const SEND_AHEAD_SEC = 1;

/**
 * Injects and reverts faults at their times on the run's clock, recording each action's start, end and error.
 * A failed revert is retried with backoff for as long as the load runs and for a grace after stop(): a revert
 * that ran while the broker was restarting succeeds once it is back. Every revert is also registered with the
 * cleanup registry, so a fault never outlives the run, however the run ends.
 */
export function startFaultTimeline(
  faults: ScheduledFault[],
  ctx: FaultContext,
  clock: () => number,
  onEvent: (event: TimelineEvent) => void,
  opts: FaultTimelineOptions = {},
): FaultTimeline {
  const timers = new Set<NodeJS.Timeout>();
  const active = new Map<ScheduledFault, { revert: Revert; release: () => Promise<void> }>();
  const injecting = new Set<Promise<void>>();
  const reverting = new Set<Promise<void>>();
  let stopped = false;
  let giveUpAtMs = Number.POSITIVE_INFINITY;
  const sleepers = new Set<() => void>();
  const round = (sec: number) => Math.round(sec * 1000) / 1000;
  const epochMsOf = (sec: number) => Date.now() + (sec - clock()) * 1000;
  const sentAhead = (item: ScheduledFault) => ctx.erl !== undefined && item.fault.needs.length > 0 && item.fault.needs.every((n) => n === 'erl');
  // Per fault: until when its next Erlang call is held (0: at once), read by its context's erl at call time.
  const holds = new Map<ScheduledFault, { untilMs: number }>();
  const contextFor = (item: ScheduledFault): FaultContext => {
    const erl = ctx.erl;
    if (!erl || !sentAhead(item)) return ctx;
    const hold = { untilMs: 0 };
    holds.set(item, hold);
    return { ...ctx, erl: (node, expr) => erl(node, expr, hold.untilMs) };
  };

  const later = (sec: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, Math.max(0, (sec - clock()) * 1000));
    timers.add(timer);
  };

  /** Waits before the next attempt; stop() cuts the wait short so the last attempts come at once. */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });

  /** `afterFailedInjection`: the fault's window is already closed (its fault-end recorded), so success records nothing. */
  const revertUntilDone = async (
    item: ScheduledFault,
    id: number,
    entry: { revert: Revert; release: () => Promise<void> },
    heldUntilSec?: number,
    afterFailedInjection = false,
  ) => {
    const scheduledSec = item.forSec !== undefined && !stopped && !afterFailedInjection ? round(item.atSec + item.forSec) : undefined;
    const hold = holds.get(item);
    for (let attempt = 1; ; attempt++) {
      // A revert sent ahead begins when the control node lets it go; a retry goes at once.
      const held = attempt === 1 && heldUntilSec !== undefined && hold !== undefined;
      if (hold) hold.untilMs = held ? epochMsOf(heldUntilSec) : 0;
      const startSec = held ? Math.max(clock(), heldUntilSec) : clock();
      try {
        await entry.revert();
        const endSec = clock();
        if (!afterFailedInjection) {
          onEvent({
            t: round(endSec),
            kind: 'fault-end',
            message: item.fault.description,
            faultId: id,
            ...(scheduledSec !== undefined ? { scheduledSec } : {}),
            actionStartSec: round(startSec),
            actionEndSec: round(endSec),
            ...(attempt > 1 ? { attempt } : {}),
          });
        }
        // The revert succeeded (and `once` keeps that), so this only takes it off the cleanup list.
        await entry.release().catch(() => {});
        return;
      } catch (err) {
        const endSec = clock();
        const error = (err as Error).message;
        const delayMs = retryDelayMs(attempt);
        const giveUp = Date.now() + delayMs > giveUpAtMs;
        onEvent({
          t: round(endSec),
          kind: 'note',
          message: giveUp
            ? `${item.fault.description} was never reverted: ${attempt} attempt${attempt === 1 ? '' : 's'} failed, the last with: ${error}`
            : `reverting ${item.fault.kind} failed (attempt ${attempt}, next in ${(delayMs / 1000).toFixed(2)} s): ${error}`,
          faultId: id,
          ...(scheduledSec !== undefined ? { scheduledSec } : {}),
          actionStartSec: round(startSec),
          actionEndSec: round(endSec),
          error,
          attempt,
        });
        if (giveUp) {
          ctx.log(`fault: ${item.fault.description} could not be reverted (${error}); the cleanup at exit tries once more`);
          return;
        }
        await pause(stopped ? Math.min(delayMs, Math.max(0, giveUpAtMs - Date.now())) : delayMs);
      }
    }
  };

  const end = (item: ScheduledFault, id: number, heldUntilSec?: number): Promise<void> => {
    const entry = active.get(item);
    if (!entry) return Promise.resolve();
    active.delete(item);
    return track(revertUntilDone(item, id, entry, heldUntilSec));
  };
  /** A revert stop() waits for. */
  const track = (revert: Promise<void>): Promise<void> => {
    const done = revert.finally(() => reverting.delete(done));
    reverting.add(done);
    return done;
  };

  faults.forEach((item, index) => {
    const id = item.id ?? index;
    const faultCtx = contextFor(item);
    const ahead = holds.has(item) ? SEND_AHEAD_SEC : 0;
    later(item.atSec - ahead, () => {
      if (stopped) return;
      const hold = holds.get(item);
      if (hold) hold.untilMs = epochMsOf(item.atSec);
      const startSec = hold ? Math.max(clock(), item.atSec) : clock();
      const scheduledSec = round(item.atSec);
      ctx.log(`fault: ${item.fault.description}`);
      const injected = item.fault
        .inject(faultCtx)
        .then(async (revert: Revert) => {
          const endSec = clock();
          const release = registerCleanup({ name: `revert ${item.fault.kind}`, run: revert });
          active.set(item, { revert, release });
          // Recorded once the action returned, so the event says how long it took; t is when it began.
          onEvent({
            t: round(startSec),
            kind: 'fault-start',
            message: item.fault.description,
            faultId: id,
            scheduledSec,
            actionStartSec: round(startSec),
            actionEndSec: round(endSec),
          });
          if (stopped || item.forSec === undefined) await end(item, id);
          else {
            const endSec = item.atSec + item.forSec;
            later(endSec - ahead, () => void end(item, id, ahead > 0 ? endSec : undefined));
          }
        })
        .catch((err: Error) => {
          const endSec = clock();
          const action = { faultId: id, scheduledSec, actionStartSec: round(startSec), actionEndSec: round(endSec), error: err.message };
          onEvent({ t: round(startSec), kind: 'fault-start', message: item.fault.description, ...action });
          const uncertain = err instanceof InjectionUncertain;
          const anyway = uncertain ? '; reverting it anyway, in case it acted after all' : '';
          onEvent({ t: round(endSec), kind: 'note', message: `injecting ${item.fault.kind} failed: ${err.message}${anyway}`, ...action });
          // Closes the window the fault-start opened, so the gate does not excuse errors for a fault that never held.
          onEvent({ t: round(endSec), kind: 'fault-end', message: item.fault.description, faultId: id });
          if (uncertain) {
            const entry = { revert: err.revert, release: registerCleanup({ name: `revert ${item.fault.kind}`, run: err.revert }) };
            void track(revertUntilDone(item, id, entry, undefined, true));
          }
        })
        .finally(() => injecting.delete(injected));
      injecting.add(injected);
    });
  });

  return {
    active: () => [...active.keys()].map((i) => i.fault.description),
    stop: async () => {
      if (!stopped) {
        stopped = true;
        giveUpAtMs = Date.now() + (opts.revertGraceMs ?? DEFAULT_REVERT_GRACE_MS);
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
      }
      // A fault still being injected is reverted as soon as it lands (see above); wait for that too.
      await Promise.all([...injecting]);
      await Promise.all([...active.keys()].map((item) => end(item, item.id ?? faults.indexOf(item))));
      // Reverts already retrying: their next attempt comes now, and they give up at the grace's end.
      for (const wake of [...sleepers]) wake();
      await Promise.all([...reverting]);
    },
  };
}
