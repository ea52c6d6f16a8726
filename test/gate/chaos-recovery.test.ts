import { describe, expect, it } from 'vitest';
import { faultWindows } from '../../harness/gate/chaos-windows.ts';
import { recoveries } from '../../harness/gate/chaos-recovery.ts';
import { evaluateGate } from '../../harness/gate/evaluate.ts';
import type { GateInput } from '../../harness/gate/input.ts';
import type { LoadSecond, TimelineEvent } from '../../harness/run-record.ts';
import { rule, run, shared } from './timeline.ts';

// Synthetic timelines as the fault timeline writes them (faultId, failed revert attempts as notes), and a
// service that answers 503 while a publish-blocking fault holds and 2xx otherwise.
const start = (faultId: number, message: string, t: number): TimelineEvent => ({ t, kind: 'fault-start', message, faultId, scheduledSec: t, actionStartSec: t, actionEndSec: t + 0.01 });
const end = (faultId: number, message: string, t: number): TimelineEvent => ({ t, kind: 'fault-end', message, faultId, actionStartSec: t - 0.01, actionEndSec: t });
const failedRevert = (faultId: number, t: number, attempt: number, error = 'nodedown'): TimelineEvent => ({
  t,
  kind: 'note',
  message: `reverting disk-alarm failed (attempt ${attempt}): ${error}`,
  faultId,
  actionStartSec: t - 0.01,
  actionEndSec: t,
  error,
  attempt,
});

function chaosRun(events: TimelineEvent[], blockedWhile: (t: number) => boolean, seconds = 60): GateInput {
  const input = run({
    phases: [{ name: 'burst', seconds, fromRps: 50 }],
    connections: shared(2),
    units: 2,
    perSecond: (t, n): Partial<LoadSecond> => (blockedWhile(t) ? { status: { '503': n } } : {}),
  });
  return { ...input, events };
}

const DISK = 'disk alarm';
const kills = [1, 2, 3, 4, 5, 6].map((i) => ({ id: i, at: 10 + i * 5 }));
const killEvents = kills.flatMap((k) => [start(k.id, `kill connections #${k.id}`, k.at), end(k.id, `kill connections #${k.id}`, k.at + 0.1)]);

describe('chaos.recovery attributes a failure to the fault still in force', () => {
  it('a disk alarm never reverted fails by name; the six faults after it are not blamed', () => {
    const events = [start(0, DISK, 8), failedRevert(0, 12, 1), failedRevert(0, 13, 2), failedRevert(0, 59, 40, 'badrpc timeout'), ...killEvents];
    const input = chaosRun(events, (t) => t >= 8);
    const r = recoveries(input.load, faultWindows(events, 60), 60, 5);
    expect(r.map((x) => x.kind)).toEqual(['not-reverted', 'not-judged', 'not-judged', 'not-judged', 'not-judged', 'not-judged', 'not-judged']);
    expect(r[1]).toMatchObject({ why: 'disk alarm was still in force (never reverted); its recovery is judged instead' });
    const rule1 = rule(evaluateGate(input), 'chaos.recovery');
    expect(rule1.passed).toBe(false);
    expect(rule1.value).toBe('never');
    expect(rule1.message).toMatch(/^1 of 1 faults were not followed by a 2xx within 5 s of the revert, or never reverted: disk alarm from 8 s was never reverted \(40 attempts failed, the last with: badrpc timeout\)\./);
    expect(rule1.message).not.toMatch(/kill connections #\d at/);
  });

  it('a disk alarm reverted late (after retries) is judged from its own end; the faults during it are not', () => {
    const events = [start(0, DISK, 8), failedRevert(0, 12, 1), end(0, DISK, 40), ...killEvents];
    // The service answers 2xx again a second after the disk alarm's revert.
    const input = chaosRun(events, (t) => t >= 8 && t < 41);
    const r = recoveries(input.load, faultWindows(events, 60), 60, 5);
    expect(r[0]).toMatchObject({ kind: 'recovered', afterSec: 2 });
    // Kills #1-#5 ended inside it; #6 (at 40 s) ended with it, within a second of the same recovery.
    expect(r.slice(1, 6).every((x) => x.kind === 'not-judged' && /until 40 s/.test(x.why))).toBe(true);
    expect(r[6]).toMatchObject({ kind: 'recovered' });
    expect(rule(evaluateGate(input), 'chaos.recovery').passed).toBe(true);
  });

  it('a fault that does not recover with nothing else in force is still failed', () => {
    const events = [start(0, DISK, 8), end(0, DISK, 12), start(1, 'kill connections', 30), end(1, 'kill connections', 30.1)];
    // Blocked long after the kill: that is the kill's failure, the disk alarm recovered.
    const input = chaosRun(events, (t) => (t >= 8 && t < 13) || t >= 30);
    const r = recoveries(input.load, faultWindows(events, 60), 60, 5);
    expect(r.map((x) => x.kind)).toEqual(['recovered', 'not-recovered']);
  });

  it('pairs start and end by faultId, so two faults with one description are told apart', () => {
    const events = [start(0, DISK, 5), start(1, DISK, 7), end(1, DISK, 9), failedRevert(0, 10, 1)];
    const w = faultWindows(events, 60);
    expect(w).toMatchObject([
      { faultId: 0, start: 5, end: 60, unended: true, revertFailures: { attempts: 1, lastError: 'nodedown' } },
      { faultId: 1, start: 7, end: 9 },
    ]);
  });
});
