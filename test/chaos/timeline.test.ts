import { describe, expect, it } from 'vitest';
import { InjectionUncertain, once, type Fault, type FaultContext } from '../../harness/chaos/fault.ts';
import { startFaultTimeline } from '../../harness/chaos/timeline.ts';
import { pendingCleanups } from '../../harness/lifecycle/cleanup.ts';
import type { TimelineEvent } from '../../harness/run-record.ts';

// The timeline on a real clock with faults that only record what happened to them (times in seconds
// are small so the test takes well under a second).
interface Probe {
  fault: Fault;
  injected: number;
  reverted: number;
}

function probe(kind: string, opts: { injectMs?: number; revertMs?: number; fail?: boolean } = {}): Probe {
  const p: Probe = {
    injected: 0,
    reverted: 0,
    fault: {
      kind,
      description: `${kind} fault`,
      needs: [],
      inject: async () => {
        await new Promise((r) => setTimeout(r, opts.injectMs ?? 0));
        if (opts.fail) throw new Error('no such broker');
        p.injected++;
        return once(async () => {
          await new Promise((r) => setTimeout(r, opts.revertMs ?? 0));
          p.reverted++;
        });
      },
    },
  };
  return p;
}

const ctx: FaultContext = { log: () => {} };

function clockFrom(start = Date.now()) {
  return () => (Date.now() - start) / 1000;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * Waits until `done()` holds (at most 5 s): a busy machine (the suite boots brokers beside the unit tier)
 * can hold a timer back by hundreds of ms, so tests wait for what they check, not for a fixed time.
 */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!done() && Date.now() < deadline) await sleep(10);
}
const kinds = (events: TimelineEvent[]) => events.map((e) => `${e.kind} ${e.message}`);

describe('fault timeline', () => {
  it('injects at its time and reverts after `for`, recording both on the run clock', async () => {
    const alarm = probe('alarm');
    const events: TimelineEvent[] = [];
    // A window of 2 s: the checks made inside it must still be inside it when a busy machine (the unit tier
    // runs beside the suite's build and booting brokers) holds this process for a few hundred ms.
    const timeline = startFaultTimeline([{ atSec: 0.05, forSec: 2, fault: alarm.fault }], ctx, clockFrom(), (e) => events.push(e));
    await until(() => events.length >= 1);
    expect(timeline.active()).toEqual(['alarm fault']);
    expect(pendingCleanups()).toContain('revert alarm');
    await until(() => events.length >= 2);
    expect(kinds(events)).toEqual(['fault-start alarm fault', 'fault-end alarm fault']);
    expect(events[0]!.t).toBeGreaterThanOrEqual(0.04);
    expect(events[1]!.t).toBeGreaterThanOrEqual(2.04);
    expect(alarm.reverted).toBe(1);
    expect(pendingCleanups()).not.toContain('revert alarm');
    await timeline.stop();
    expect(alarm.reverted).toBe(1);
  });

  it('ends a one-off fault (no `for`) once its revert resolves: a restart ends when the broker is back', async () => {
    const restart = probe('restart', { revertMs: 120 });
    const events: TimelineEvent[] = [];
    const timeline = startFaultTimeline([{ atSec: 0, fault: restart.fault }], ctx, clockFrom(), (e) => events.push(e));
    await until(() => events.length >= 2);
    expect(kinds(events)).toEqual(['fault-start restart fault', 'fault-end restart fault']);
    expect(events[1]!.t - events[0]!.t).toBeGreaterThanOrEqual(0.11);
    expect(timeline.active()).toEqual([]);
    await timeline.stop();
  });

  it('closes the window of a fault whose injection failed, and says why', async () => {
    const broken = probe('alarm', { fail: true });
    const events: TimelineEvent[] = [];
    const timeline = startFaultTimeline([{ atSec: 0, forSec: 5, fault: broken.fault }], ctx, clockFrom(), (e) => events.push(e));
    await until(() => events.length >= 3);
    expect(kinds(events)).toEqual(['fault-start alarm fault', 'note injecting alarm failed: no such broker', 'fault-end alarm fault']);
    await timeline.stop();
  });

  it('reverts a fault whose injection failed after it may have acted, without a second end to its window', async () => {
    let reverts = 0;
    let failures = 1;
    const lost: Fault = {
      kind: 'alarm',
      description: 'alarm fault',
      needs: [],
      inject: async () => {
        throw new InjectionUncertain(
          'no answer from the control node within 17000 ms',
          once(async () => {
            // The first attempt fails (the broker still starved): the revert is retried like any other.
            if (failures-- > 0) throw new Error('still no answer');
            reverts++;
          }),
        );
      },
    };
    const events: TimelineEvent[] = [];
    const timeline = startFaultTimeline([{ atSec: 0, forSec: 5, fault: lost }], ctx, clockFrom(), (e) => events.push(e));
    await until(() => reverts === 1);
    await timeline.stop();
    expect(reverts).toBe(1);
    expect(kinds(events)).toEqual([
      'fault-start alarm fault',
      'note injecting alarm failed: no answer from the control node within 17000 ms; reverting it anyway, in case it acted after all',
      'fault-end alarm fault',
      expect.stringMatching(/^note reverting alarm failed \(attempt 1, next in [\d.]+ s\): still no answer$/),
    ]);
    expect(pendingCleanups()).not.toContain('revert alarm');
  });

  it('stop() reverts what is active, reverts what is still being injected, and cancels what has not started', async () => {
    const active = probe('active');
    const landing = probe('landing', { injectMs: 100 });
    const later = probe('later');
    const events: TimelineEvent[] = [];
    const timeline = startFaultTimeline(
      [
        { atSec: 0, forSec: 10, fault: active.fault },
        { atSec: 0.03, forSec: 10, fault: landing.fault },
        { atSec: 5, forSec: 1, fault: later.fault },
      ],
      ctx,
      clockFrom(),
      (e) => events.push(e),
    );
    await sleep(60);
    await timeline.stop();
    expect([active.reverted, landing.injected, landing.reverted, later.injected]).toEqual([1, 1, 1, 0]);
    expect(kinds(events).filter((k) => k.startsWith('fault-end'))).toHaveLength(2);
    await timeline.stop();
    expect(active.reverted + landing.reverted).toBe(2);
  });

  it('records each action with its scheduled time, start, end and error', async () => {
    const alarm = probe('alarm', { injectMs: 30 });
    const events: TimelineEvent[] = [];
    const timeline = startFaultTimeline([{ atSec: 0.05, forSec: 0.1, fault: alarm.fault, id: 3 }], ctx, clockFrom(), (e) => events.push(e));
    await until(() => events.length >= 2);
    const [start, end] = events;
    expect(start).toMatchObject({ kind: 'fault-start', faultId: 3, scheduledSec: 0.05 });
    expect(start!.actionStartSec).toBe(start!.t);
    expect(start!.actionEndSec! - start!.actionStartSec!).toBeGreaterThanOrEqual(0.025);
    expect(end).toMatchObject({ kind: 'fault-end', faultId: 3, scheduledSec: 0.15 });
    expect(end!.actionEndSec).toBe(end!.t);
    await timeline.stop();
  });

  it('retries a failed revert until it succeeds, recording each failed attempt', async () => {
    let failures = 2;
    const flaky: Fault = {
      kind: 'flaky',
      description: 'flaky fault',
      needs: [],
      inject: async () =>
        once(async () => {
          if (failures-- > 0) throw new Error('nodedown');
        }),
    };
    const events: TimelineEvent[] = [];
    const timeline = startFaultTimeline([{ atSec: 0, forSec: 0.02, fault: flaky }], ctx, clockFrom(), (e) => events.push(e));
    // Attempts at ~0.02 s, +0.25 s, +0.5 s.
    await until(() => events.some((e) => e.kind === 'fault-end'));
    expect(kinds(events)).toEqual([
      'fault-start flaky fault',
      'note reverting flaky failed (attempt 1, next in 0.25 s): nodedown',
      'note reverting flaky failed (attempt 2, next in 0.50 s): nodedown',
      'fault-end flaky fault',
    ]);
    expect(events[1]).toMatchObject({ error: 'nodedown', attempt: 1, faultId: 0 });
    expect(events[3]).toMatchObject({ attempt: 3 });
    expect(pendingCleanups()).not.toContain('revert flaky');
    await timeline.stop();
  });

  it('gives up on a revert that never succeeds once stop() has waited its grace, and says so', async () => {
    const stuck: Fault = {
      kind: 'stuck',
      description: 'stuck fault',
      needs: [],
      inject: async () =>
        once(async () => {
          throw new Error('broker gone');
        }),
    };
    const events: TimelineEvent[] = [];
    const timeline = startFaultTimeline([{ atSec: 0, forSec: 10, fault: stuck }], ctx, clockFrom(), (e) => events.push(e), { revertGraceMs: 300 });
    await sleep(30);
    await timeline.stop();
    const last = events.at(-1)!;
    expect(last.message).toMatch(/^stuck fault was never reverted: \d+ attempts failed, the last with: broker gone$/);
    expect(events.some((e) => e.kind === 'fault-end')).toBe(false);
    // Still registered: the cleanup at exit tries once more.
    expect(pendingCleanups()).toContain('revert stuck');
  });

  it('sends an Erlang-only fault to the control node a second ahead, held until its time, and its revert too', async () => {
    const calls: Array<{ expr: string; calledAt: number; notBefore: number }> = [];
    const erl = async (_node: string | undefined, expr: string, notBefore = 0) => {
      calls.push({ expr, calledAt: Date.now(), notBefore });
      await sleep(Math.max(0, notBefore - Date.now()));
      return 'ok';
    };
    const alarm: Fault = {
      kind: 'alarm',
      description: 'alarm fault',
      needs: ['erl'],
      inject: async (c) => {
        await c.erl!(undefined, 'raise');
        return once(async () => {
          await c.erl!(undefined, 'clear');
        });
      },
    };
    const zero = Date.now();
    const events: TimelineEvent[] = [];
    const timeline = startFaultTimeline([{ atSec: 1.2, forSec: 0.3, fault: alarm }], { log: () => {}, erl }, clockFrom(zero), (e) => events.push(e));
    await until(() => calls.length >= 2 && events.length >= 2);
    expect(calls.map((c) => c.expr)).toEqual(['raise', 'clear']);
    // Sent ~1 s ahead, held until 1.2 s and 1.5 s on the run clock.
    expect(calls[0]!.notBefore - zero).toBeCloseTo(1_200, -2);
    expect(calls[0]!.calledAt - zero).toBeLessThan(1_000);
    expect(calls[1]!.notBefore - zero).toBeCloseTo(1_500, -2);
    expect(kinds(events)).toEqual(['fault-start alarm fault', 'fault-end alarm fault']);
    expect(events[0]!.actionStartSec).toBeGreaterThanOrEqual(1.2);
    await timeline.stop();
  });
});

