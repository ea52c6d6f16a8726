import { describe, expect, it } from 'vitest';
import { checkAbort } from '../../harness/gate/abort.ts';
import { coveredSeconds, faultWindows, secondsOutsideFaults } from '../../harness/gate/chaos-windows.ts';
import { evaluateGate } from '../../harness/gate/evaluate.ts';
import type { GateInput } from '../../harness/gate/input.ts';
import { parseLimitArgs } from '../../harness/gate/limits.ts';
import type { LoadSecond, TimelineEvent } from '../../harness/run-record.ts';
import { rule, run, shared } from '../gate/timeline.ts';

// Synthetic chaos runs: 60 s at 50 req/s, one connection per unit, faults on the timeline, and the
// answers a service gives around them.
const fault = (description: string, start: number, end?: number): TimelineEvent[] => [
  { t: start, kind: 'fault-start', message: description },
  ...(end !== undefined ? [{ t: end, kind: 'fault-end' as const, message: description }] : []),
];

type Answer = (t: number, n: number) => Partial<Pick<LoadSecond, 'status' | 'errors' | 'latency'>> | undefined;

function chaosRun(events: TimelineEvent[], answer: Answer = () => undefined, seconds = 60): GateInput {
  const input = run({
    phases: [{ name: 'burst', seconds, fromRps: 50 }],
    connections: shared(2),
    units: 2,
    perSecond: (t, n) => answer(t, n) ?? {},
  });
  return { ...input, events };
}

const names = (input: GateInput, limits = {}) => evaluateGate(input, limits).rules.map((r) => r.name);

describe('fault windows', () => {
  it('pairs each start with the next end of the same fault, and runs an unended one to the load end', () => {
    const events = [
      ...fault('kill', 5, 5.1),
      ...fault('memory alarm', 10, 14.5),
      ...fault('kill', 20, 20.05),
      { t: 30, kind: 'note' as const, message: 'reverting x failed' },
      ...fault('disk alarm', 40),
    ];
    expect(faultWindows(events, 60)).toEqual([
      { description: 'kill', start: 5, end: 5.1 },
      { description: 'memory alarm', start: 10, end: 14.5 },
      { description: 'kill', start: 20, end: 20.05 },
      { description: 'disk alarm', start: 40, end: 60, unended: true },
    ]);
    expect(faultWindows(undefined, 60)).toEqual([]);
  });

  it('counts a second as disturbed from the fault start to the grace after its end, overlaps once', () => {
    const input = chaosRun([]);
    const windows = faultWindows([...fault('a', 10.5, 12.2), ...fault('b', 11, 13)], 60);
    const outside = secondsOutsideFaults(input.load, windows, 5).map((s) => s.t);
    // [10.5, 18) is covered: seconds 10..17.
    for (let t = 10; t <= 17; t++) expect(outside).not.toContain(t);
    expect(outside).toContain(9);
    expect(outside).toContain(18);
    expect(coveredSeconds(windows, 5, 60)).toBeCloseTo(7.5, 5);
  });
});

describe('chaos rules on a run with faults', () => {
  it('are not added to a run without fault events', () => {
    const input = chaosRun([]);
    expect(names(input)).not.toContain('chaos.answers');
    expect(names(input)).not.toContain('chaos.recovery');
    expect(names({ ...input, events: [{ t: 0, kind: 'phase', message: 'burst' }] })).not.toContain('chaos.answers');
  });

  it('a service that sheds with 503 during a memory alarm and recovers in a second passes, errors.rate judges outside', () => {
    const input = chaosRun(fault('memory alarm', 20, 24), (t, n) => (t >= 20 && t < 25 ? { status: { '503': n } } : undefined));
    const v = evaluateGate(input);
    expect(v.rules.filter((r) => !r.passed)).toEqual([]);
    const errors = rule(v, 'errors.rate');
    expect(errors.value).toBe('0%');
    expect(errors.message).toMatch(/^Outside the 1 fault window and 5 s after each \(9 s of the run left to chaos.answers and chaos.recovery\): none of the/);
    const answers = rule(v, 'chaos.answers');
    expect(answers.value).toBe('0 other 5xx, 0% no answer');
    expect(answers.message).toMatch(/answered 2xx, 250 shed with 503, 0 got no answer; the service shed load/);
    const recovery = rule(v, 'chaos.recovery');
    expect(recovery.value).toBe('2 s');
    expect(recovery.message).toMatch(/^After each of 1 revert the service answered 2xx again within 2 s/);
  });

  it('the same 503s without the fault events fail errors.rate', () => {
    const input = chaosRun([], (t, n) => (t >= 20 && t < 25 ? { status: { '503': n } } : undefined));
    expect(rule(evaluateGate(input), 'errors.rate').passed).toBe(false);
  });

  it('a 500 during a fault fails chaos.answers, naming the code', () => {
    const answer: Answer = (t, n) => {
      const status: Record<string, number> = t === 22 ? { '503': n - 1, '500': 1 } : { '503': n };
      return t > 20 && t < 24 ? { status } : undefined;
    };
    const input = chaosRun(fault('memory alarm', 20, 24), answer);
    const r = rule(evaluateGate(input), 'chaos.answers');
    expect(r.passed).toBe(false);
    expect(r.value).toBe('1 other 5xx, 0% no answer');
    expect(r.message).toMatch(/1 answered another 5xx \(500 1\)/);
    expect(r.message).toMatch(/must shed with 503/);
  });

  it('a 500 in the grace after the revert also fails chaos.answers (errors.rate does not see it)', () => {
    const input = chaosRun(fault('kill connections', 20, 20.1), (t, n) => (t === 23 ? { status: { '200': n - 2, '502': 2 } } : undefined));
    const v = evaluateGate(input);
    expect(rule(v, 'chaos.answers').passed).toBe(false);
    expect(rule(v, 'errors.rate').value).toBe('0%');
  });

  it('too many requests left unanswered fail chaos.answers; a few do not', () => {
    const hang = (share: number): Answer => (t, n) => (t >= 30 && t < 33 ? { status: { '503': n - Math.round(n * share) }, errors: { timeout: Math.round(n * share) } } : undefined);
    const many = rule(evaluateGate(chaosRun(fault('blackhole', 30, 33), hang(1))), 'chaos.answers');
    expect(many.passed).toBe(false);
    expect(many.message).toMatch(/150 got no answer \(timeout 150\)/);
    expect(many.message).toMatch(/more than the 5% allowed/);
    expect(rule(evaluateGate(chaosRun(fault('blackhole', 30, 33), hang(0.1))), 'chaos.answers').passed).toBe(true);
    expect(rule(evaluateGate(chaosRun(fault('blackhole', 30, 33), hang(0.1)), parseLimitArgs(['chaos.answers<1%'])), 'chaos.answers').passed).toBe(false);
  });

  it('503s that go on 8 s past the revert fail chaos.recovery, and errors.rate sees the tail after the grace', () => {
    const input = chaosRun(fault('disk alarm', 20, 24), (t, n) => (t >= 20 && t < 32 ? { status: { '503': n } } : undefined));
    const v = evaluateGate(input);
    const recovery = rule(v, 'chaos.recovery');
    expect(recovery.passed).toBe(false);
    expect(recovery.value).toBe('9 s');
    expect(recovery.message).toMatch(/^1 of 1 faults were not followed by a 2xx within 5 s of the revert: disk alarm at 24 s: 2xx after 9 s/);
    const errors = rule(v, 'errors.rate');
    expect(errors.passed).toBe(false);
    // Seconds 29, 30, 31 are past the 5 s grace.
    expect(errors.message).toMatch(/150 answered 5xx/);
    // A looser recovery limit widens the grace too.
    const loose = evaluateGate(input, parseLimitArgs(['chaos.recovery<=10s']));
    expect(rule(loose, 'chaos.recovery').passed).toBe(true);
    expect(rule(loose, 'errors.rate').passed).toBe(true);
  });

  it('a service that never answers 2xx again fails chaos.recovery with "never"', () => {
    const input = chaosRun(fault('broker restart', 20, 32), (t, n) => (t >= 20 ? { status: { '503': n } } : undefined));
    const r = rule(evaluateGate(input), 'chaos.recovery');
    expect(r.passed).toBe(false);
    expect(r.value).toBe('never');
    expect(r.message).toMatch(/broker restart at 32 s: no 2xx in the 28 s after/);
  });

  it('a broker restart is timed from the broker being back (its fault-end), not from the restart', () => {
    // Down from 20 to 33 (restart takes ~13 s), 2xx again from 35.
    const input = chaosRun(fault('broker restart', 20, 33), (t, n) => (t >= 20 && t < 35 ? { status: { '503': n } } : undefined));
    const r = rule(evaluateGate(input), 'chaos.recovery');
    expect(r.passed).toBe(true);
    expect(r.value).toBe('3 s');
  });

  it('a fault reverted by the end of the load is not judged for recovery', () => {
    const input = chaosRun(fault('memory alarm', 55, 60), (t, n) => (t >= 55 ? { status: { '503': n } } : undefined));
    const r = evaluateGate(input).rules.find((x) => x.name === 'chaos.recovery')!;
    expect(r.judged).toBe(false);
    expect(r.passed).toBe(true);
    expect(r.message).toMatch(/memory alarm \(it ended with the load\)/);
  });

  it('rules can be switched off or tightened', () => {
    const input = chaosRun(fault('memory alarm', 20, 24), (t, n) => (t >= 20 && t < 27 ? { status: { '503': n } } : undefined));
    expect(names(input, parseLimitArgs(['chaos.answers=off', 'chaos.recovery=off']))).not.toContain('chaos.answers');
    expect(rule(evaluateGate(input, parseLimitArgs(['chaos.recovery<=2s'])), 'chaos.recovery').passed).toBe(false);
    expect(parseLimitArgs(['chaos.recovery<=3s'])['chaos.recovery']).toMatchObject({ kind: 'duration', ms: 3000 });
    expect(parseLimitArgs(['chaos.answers<2%'])['chaos.answers']).toMatchObject({ kind: 'share', fraction: 0.02 });
  });
});

describe('latency.p99 on a run with faults', () => {
  it('judges the seconds outside the fault windows, from their per-second summaries', () => {
    const slow = { p50: 900, p90: 2_500, p99: 4_800, max: 5_000 };
    const input = chaosRun([], (t, n) => (t >= 30 && t < 33 ? { status: { '200': n }, latency: slow } as Partial<LoadSecond> : undefined));
    input.latency = { p99: 4_700 };
    expect(rule(evaluateGate(input), 'latency.p99').passed).toBe(false);
    const r = rule(evaluateGate({ ...input, events: fault('latency 300±100 ms', 30, 33) }), 'latency.p99');
    expect(r.passed).toBe(true);
    expect(r.message).toMatch(/outside the 1 fault window and 5 s after each \(estimated from per-second percentiles\)/);
    expect(r.value).toBe('14 ms');
  });
});

describe('abort-on-fail on a run with faults', () => {
  const shed: Answer = (t, n) => (t >= 5 && t < 12 ? { status: { '503': n } } : undefined);
  const upTo = (input: GateInput, now: number) => ({ ...input, load: input.load.filter((s) => s.t < now), events: input.events?.filter((e) => e.t <= now) });

  it('does not stop the load for 503s during an active fault, but does for the same 503s without one', () => {
    const withFault = chaosRun(fault('memory alarm', 5, 12), shed);
    for (let now = 6; now <= 12; now++) expect(checkAbort(upTo(withFault, now), {}, now)).toBeNull();
    // Still open at 9 s (no fault-end yet): the window runs to now.
    expect(checkAbort(upTo(withFault, 9), {}, 9)).toBeNull();
    expect(checkAbort(upTo(chaosRun([], shed), 12), {}, 12)?.rule).toBe('errors.rate');
  });
});
