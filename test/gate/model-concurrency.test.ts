// The gate model with the driver's per-second requests in flight (inFlightMax): a lazily filled pool of a
// starved service fills as its concurrency reaches new highs at offered rates already served, and that is
// new load, not a leak; a leak still fails, and a record without the counts is judged as before.
import { describe, expect, it } from 'vitest';
import { evaluateGate } from '../../harness/gate/evaluate.ts';
import type { GateInput } from '../../harness/gate/input.ts';
import { defaultLimits } from '../../harness/gate/limits.ts';
import { modelsFor } from '../../harness/gate/model.ts';
import { euMorning, lazyPool, leaky, perRequest, perSecondRates, poisson, rng, rule, run, shared, stepLadder, steps, type RunSpec } from './timeline.ts';

// eu-morning at --duration 8s and a peak of 200 req/s, as the driver scheduled it (test/gate/client-runs.ts;
// the rates of a real run's seconds), and 2 s of drain: a starved service answers the last requests late,
// and the load ends when they are answered.
const EU_MORNING_8S = perSecondRates([6, 27, 59, 94, 197, 128, 62, 81, 0, 0]);
// What a starved service's concurrency did there: latency ballooned, so the requests in flight kept
// reaching new highs after the peak (37 at 197 req/s, then 45, 52, 60 at 128, 62 and 81 req/s).
const STARVED_IN_FLIGHT = [2, 6, 12, 20, 37, 45, 52, 60, 60, 40];
/** The client-runs' lean timeline: 2 s of baseline and of cool-down. */
const lean = { baselineSec: 2, coolDownSec: 2 };

const withInFlight = (spec: RunSpec, inFlight: (t: number, sent: number) => number): RunSpec => ({
  ...spec,
  perSecond: (t, sent) => ({ ...spec.perSecond?.(t, sent), inFlightMax: inFlight(t, sent) }),
});
const starved = (spec: RunSpec, inFlight = STARVED_IN_FLIGHT) => withInFlight(spec, (t) => inFlight[t] ?? 0);
const models = (input: GateInput) => modelsFor(input, defaultLimits);
const failed = (input: GateInput) => evaluateGate(input).rules.filter((r) => !r.passed).map((r) => r.name);

// rascal, 2 units (one connection each, up to 5 confirm channels each): channels filled on demand, the last
// four more than a second after the peak, as the requests in flight reached new highs at loads already served.
const STARVED_RASCAL: RunSpec = {
  phases: EU_MORNING_8S,
  connections: steps([[0.2, 2]]),
  channels: steps([[0.2, 1], [1.4, 3], [2.7, 4], [4.3, 6], [6.2, 8], [6.8, 10]]),
  units: 2,
  ...lean,
};
// rabbitmq-client, publisher + consumer per unit (4 connections from the start): channels 2 -> 5 after the peak.
const STARVED_RABBITMQ_CLIENT: RunSpec = {
  phases: EU_MORNING_8S,
  connections: shared(4),
  channels: steps([[6.2, 3], [6.6, 5]], 2),
  units: 2,
  ...lean,
};

describe('a starved service: its lazy pool fills as requests in flight reach new highs', () => {
  it('rascal channels 0 -> 10, the last rises at loads already served, are bounded at 10 and pass; the sentence says what explained them', () => {
    const input = run(starved(STARVED_RASCAL));
    const m = models(input).channels;
    expect(m.shape).toBe('bounded');
    expect(m.bound).toBe(10);
    expect(m.riseAtServedLoad).toBe(0);
    expect(m.concurrencyRise).toEqual({ level: 10, t: 7, inFlight: 60 });
    expect(failed(input)).toEqual([]);
    const v = evaluateGate(input);
    expect(rule(v, 'channels.growth').message).toMatch(/^Channels stayed bounded at 10: .*; they rose to 10 as requests in flight reached a new high of 60 at 7 s, at loads already served \(allowed rise: 2\)\.$/);
    expect(rule(v, 'channels.residue').message).toMatch(/within the bound of 10 that held during the load/);
  });

  it('rabbitmq-client channels 2 -> 5 after the peak are bounded at 5 and pass', () => {
    const input = run(starved(STARVED_RABBITMQ_CLIENT, [1, 3, 5, 8, 16, 30, 41, 44, 44, 20]));
    const m = models(input).channels;
    expect(m.shape).toBe('bounded');
    expect(m.bound).toBe(5);
    expect(m.concurrencyRise).toMatchObject({ level: 5, inFlight: 41 });
    expect(failed(input)).toEqual([]);
  });

  it('without the in-flight counts (an older results.json) the same runs are judged as before: rising at loads already served', () => {
    for (const spec of [STARVED_RASCAL, STARVED_RABBITMQ_CLIENT]) {
      const input = run(spec);
      expect(input.load.every((s) => s.inFlightMax === undefined)).toBe(true);
      const m = models(input).channels;
      expect(m.shape).toBe('leak');
      expect(m.concurrencyRise).toBeUndefined();
      expect(failed(input)).toEqual(['channels.growth', 'channels.residue']);
      expect(rule(evaluateGate(input), 'channels.growth').message).toMatch(/^Channels kept rising with requests served, also at loads already served/);
    }
  });

  it('requests in flight that only wander (no new high by 10% and one more) explain nothing', () => {
    // The same fill with the concurrency flat after the peak: 37, then 38, 39, 40.
    const input = run(starved(STARVED_RASCAL, [2, 6, 12, 20, 37, 38, 39, 40, 40, 30]));
    const m = models(input).channels;
    expect(m.shape).toBe('leak');
    expect(m.concurrencyRise).toBeUndefined();
  });

  it('a level above what the requests in flight could hold is not explained by them', () => {
    // The same fill to 10 with at most 7 requests in flight: a pool cannot have needed 10.
    const input = run(starved(STARVED_RASCAL, [1, 2, 3, 4, 5, 6, 7, 7, 7, 5]));
    expect(models(input).channels.shape).toBe('leak');
  });
});

describe('a starved driver that sent late', () => {
  // The first run beside a CPU hog: the driver sent nothing for its first 6 s, then the whole schedule late
  // (each send counts in its scheduled second), and the answers came until 18 s. rascal's channels filled
  // at 6.7-8 s, once every request had been sent by the schedule's count, and held while they were answered.
  const rates = [40, 35, 53, 96, 64, 139, 120, 93, ...new Array<number>(10).fill(0)];
  const inFlight = [0, 0, 0, 0, 0, 0, 32, 64, 80, 96, 112, 128, 128, 160, 160, 176, 188, 120];
  const stalled = (withCounts: boolean) => {
    const input = run({ phases: perSecondRates(rates), connections: steps([[-1, 2]]), channels: steps([[6.7, 2], [7, 6], [7.6, 7], [8, 10]]), units: 2, ...lean });
    const total = input.load.reduce((n, s) => n + s.sent, 0);
    for (const s of input.load) {
      s.completed = s.t >= 7 ? total / 11 : 0;
      if (withCounts) s.inFlightMax = inFlight[s.t] ?? 0;
    }
    return input;
  };

  it('the level held while the late requests were answered: bounded, counting the answers after it less those already in flight', () => {
    const m = models(stalled(true)).channels;
    expect(m.shape).toBe('bounded');
    expect(m.bound).toBe(10);
    // The answers after it reached 8 at 8 s, less the 80 in flight in that second.
    expect(m.heldAfter.requests).toBeGreaterThan(400);
    expect(failed(stalled(true))).toEqual([]);
  });

  it('without the in-flight counts the answers are not counted, as before: not shown to be bounded', () => {
    const m = models(stalled(false)).channels;
    expect(m.heldAfter.requests).toBe(0);
    expect(m.shape).not.toBe('bounded');
  });
});

describe('a leak still fails when its rises come with new highs of the requests in flight', () => {
  it('one connection per 3 requests on the starved eu-morning: beyond what the requests in flight could hold, a leak', () => {
    const input = run(starved({ phases: EU_MORNING_8S, connections: leaky(3, 1), ...lean }));
    const m = models(input).connections;
    expect(m.shape).toBe('leak');
    expect(m.riseAtServedLoad).toBeGreaterThan(50);
    const v = evaluateGate(input);
    for (const name of ['connections.growth', 'connections.residue']) expect(rule(v, name).passed, name).toBe(false);
    expect(rule(v, 'connections.growth').message).toMatch(/^Connections kept rising with requests served, also at loads already served: .* so they leak instead of staying bounded/);
  });

  it('a connection per request, never closed, on a compressed ladder stopped by its abort: every rise inside a new step, yet past what the requests in flight could hold, a leak', () => {
    // A run's seconds beside two CPU hogs (step-ladder at 8 s, its load stopped at 6.78 s by the abort): 458 connections, one per request, with at
    // most 117 in flight. Each rise came within a second of a new high of the offered rate.
    const rates = [40, 35, 53, 96, 64, 139, 120];
    const inFlight = [2, 2, 9, 46, 55, 117, 117];
    // The broker's readings of that run: one connection per request answered, none closed.
    const sampled: Array<[number, number]> = [
      [0.27, 10], [0.51, 20], [0.77, 30], [1.01, 40], [1.29, 49], [1.52, 57], [1.79, 66], [2.02, 75], [2.33, 88],
      [2.54, 100], [2.85, 115], [3.04, 128], [3.26, 139], [3.54, 160], [3.82, 183], [4.05, 195], [4.27, 224],
      [4.57, 253], [4.79, 260], [5.1, 264], [5.31, 281], [5.54, 299], [5.87, 338], [6.14, 357], [6.27, 386], [6.53, 445], [6.78, 458],
    ];
    const spec: RunSpec = { phases: perSecondRates(rates), connections: steps(sampled), stopAtSec: 6.78, ...lean };
    const m = models(run(withInFlight(spec, (t) => inFlight[t] ?? 0))).connections;
    expect(m.shape).toBe('leak');
    expect(m.riseAtServedLoad).toBeGreaterThan(300);
    const v = evaluateGate(run(withInFlight(spec, (t) => inFlight[t] ?? 0)));
    expect(rule(v, 'connections.growth').message).toMatch(/^Connections kept rising with requests served, also at loads already served: .* so they leak instead of staying bounded/);
    // Without the counts nothing bounds what a new load high may explain: the run can only say "not shown".
    expect(models(run(spec)).connections.shape).toBe('still-rising');
  });

  it('a connection per request, never closed, on the starved eu-morning fails growth and residue as without the counts', () => {
    const spec: RunSpec = { phases: EU_MORNING_8S, connections: leaky(1), ...lean };
    expect(failed(run(starved(spec)))).toEqual(failed(run(spec)));
    expect(models(run(starved(spec))).connections.shape).toBe(models(run(spec)).connections.shape);
  });
});

describe('an unstarved service: the in-flight counts change no verdict', () => {
  // What a service that keeps up shows: Little's law (rate x 20 ms) and a few more at the second's worst.
  const r = rng(7);
  const keepingUp = (rateAt: (t: number) => number) => (t: number) => Math.max(1, poisson(rateAt(t) * 0.02, r) + Math.floor(r() * 4));
  const shapes = { 'step ladder': stepLadder(), 'eu-morning': euMorning(100), 'slow-leak ladder': stepLadder(30) };
  const cases: Record<string, Omit<RunSpec, 'phases'>> = {
    'lazy pool of 5': { connections: lazyPool(5, 40), units: 3 },
    'Spring-like cache of 25': { connections: shared(1), channels: lazyPool(25, 40) },
    'rascal': { connections: steps([[0.25, 2]]), channels: steps([[0, 2], [14, 4], [28, 5], [42, 7], [56, 9], [59, 10]]), units: 2 },
    'slow leak of 1 per 500': { connections: leaky(500, 1) },
    'connection per request, closed': { connections: perRequest(200), seed: 5 },
    'connection per request, never closed': { connections: leaky(1) },
  };
  for (const [shape, phases] of Object.entries(shapes)) {
    for (const [name, c] of Object.entries(cases)) {
      it(`${shape}, ${name}: same verdict and sentences with and without the counts`, () => {
        const spec: RunSpec = { phases, ...c };
        const without = run(spec);
        const rateAt = (t: number) => without.load[t]?.scheduled ?? 0;
        const withCounts = run(withInFlight(spec, keepingUp(rateAt)));
        expect(withCounts.load.some((s) => (s.inFlightMax ?? 0) > 0)).toBe(true);
        const a = evaluateGate(without).rules.map((x) => `${x.name} ${x.passed} ${x.message}`);
        const b = evaluateGate(withCounts).rules.map((x) => `${x.name} ${x.passed} ${x.message}`);
        expect(b).toEqual(a);
      });
    }
  }
});
