import { registerCleanup } from '../lifecycle/cleanup.ts';
import type { TimelineEvent } from '../run-record.ts';
import type { Fault, FaultContext, Revert } from './fault.ts';

export interface ScheduledFault {
  /** Seconds since load start. */
  atSec: number;
  /**
   * How long it stays. Without it the fault is a one-off (kill connections, broker restart): it ends as soon
   * as its revert resolves, which for a restart is when the broker is back.
   */
  forSec?: number;
  fault: Fault;
}

export interface FaultTimeline {
  /** Descriptions of the faults active now. */
  active(): string[];
  /** Cancels what has not started and reverts what is active. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Injects and reverts faults at their times on the run's clock. Every revert is also registered with the
 * cleanup registry, so a fault never outlives the run, however the run ends.
 */
export function startFaultTimeline(
  faults: ScheduledFault[],
  ctx: FaultContext,
  clock: () => number,
  onEvent: (event: TimelineEvent) => void,
): FaultTimeline {
  const timers = new Set<NodeJS.Timeout>();
  const active = new Map<ScheduledFault, () => Promise<void>>();
  const injecting = new Set<Promise<void>>();
  let stopped = false;

  const later = (sec: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, Math.max(0, (sec - clock()) * 1000));
    timers.add(timer);
  };

  const end = async (item: ScheduledFault) => {
    const revert = active.get(item);
    if (!revert) return;
    active.delete(item);
    try {
      await revert();
      onEvent({ t: clock(), kind: 'fault-end', message: item.fault.description });
    } catch (err) {
      onEvent({ t: clock(), kind: 'note', message: `reverting ${item.fault.kind} failed: ${(err as Error).message}` });
    }
  };

  for (const item of faults) {
    later(item.atSec, () => {
      if (stopped) return;
      onEvent({ t: clock(), kind: 'fault-start', message: item.fault.description });
      ctx.log(`fault: ${item.fault.description}`);
      const injected = item.fault
        .inject(ctx)
        .then(async (revert: Revert) => {
          const release = registerCleanup({ name: `revert ${item.fault.kind}`, run: revert });
          active.set(item, release);
          if (stopped || item.forSec === undefined) await end(item);
          else later(item.atSec + item.forSec, () => void end(item));
        })
        .catch((err: Error) => {
          onEvent({ t: clock(), kind: 'note', message: `injecting ${item.fault.kind} failed: ${err.message}` });
          // Closes the window the fault-start opened, so the gate does not excuse errors for a fault that never held.
          onEvent({ t: clock(), kind: 'fault-end', message: item.fault.description });
        })
        .finally(() => injecting.delete(injected));
      injecting.add(injected);
    });
  }

  return {
    active: () => [...active.keys()].map((i) => i.fault.description),
    stop: async () => {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      // A fault still being injected is reverted as soon as it lands (see above); wait for that too.
      await Promise.all([...injecting]);
      await Promise.all([...active.keys()].map((item) => end(item)));
    },
  };
}
