import { describe, expect, it } from 'vitest';
import { once, type Fault, type FaultContext } from '../../harness/chaos/fault.ts';
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
const kinds = (events: TimelineEvent[]) => events.map((e) => `${e.kind} ${e.message}`);

describe('fault timeline', () => {
  it('injects at its time and reverts after `for`, recording both on the run clock', async () => {
    const alarm = probe('alarm');
    const events: TimelineEvent[] = [];
    const timeline = startFaultTimeline([{ atSec: 0.05, forSec: 0.1, fault: alarm.fault }], ctx, clockFrom(), (e) => events.push(e));
    await sleep(100);
    expect(timeline.active()).toEqual(['alarm fault']);
    expect(pendingCleanups()).toContain('revert alarm');
    await sleep(150);
    expect(kinds(events)).toEqual(['fault-start alarm fault', 'fault-end alarm fault']);
    expect(events[0]!.t).toBeGreaterThanOrEqual(0.04);
    expect(events[1]!.t).toBeGreaterThanOrEqual(0.14);
    expect(alarm.reverted).toBe(1);
    expect(pendingCleanups()).not.toContain('revert alarm');
    await timeline.stop();
    expect(alarm.reverted).toBe(1);
  });

  it('ends a one-off fault (no `for`) once its revert resolves: a restart ends when the broker is back', async () => {
    const restart = probe('restart', { revertMs: 120 });
    const events: TimelineEvent[] = [];
    const timeline = startFaultTimeline([{ atSec: 0, fault: restart.fault }], ctx, clockFrom(), (e) => events.push(e));
    await sleep(200);
    expect(kinds(events)).toEqual(['fault-start restart fault', 'fault-end restart fault']);
    expect(events[1]!.t - events[0]!.t).toBeGreaterThanOrEqual(0.11);
    expect(timeline.active()).toEqual([]);
    await timeline.stop();
  });

  it('closes the window of a fault whose injection failed, and says why', async () => {
    const broken = probe('alarm', { fail: true });
    const events: TimelineEvent[] = [];
    const timeline = startFaultTimeline([{ atSec: 0, forSec: 5, fault: broken.fault }], ctx, clockFrom(), (e) => events.push(e));
    await sleep(50);
    expect(kinds(events)).toEqual(['fault-start alarm fault', 'note injecting alarm failed: no such broker', 'fault-end alarm fault']);
    await timeline.stop();
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
});
