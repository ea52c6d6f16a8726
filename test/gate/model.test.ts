// The gate model on synthetic timelines: what real clients do (lazy pools of 5 and 25, a pool filled only
// at the top step, rascal's channel pool, publisher + consumer connections) is bounded and passes; what
// the incident and its cousins do (a leak, a connection per request with or without close) is not.
import { describe, expect, it } from 'vitest';
import { checkAbort } from '../../harness/gate/abort.ts';
import { evaluateGate } from '../../harness/gate/evaluate.ts';
import { parseLimitArgs, withDefaults } from '../../harness/gate/limits.ts';
import { modelsFor } from '../../harness/gate/model.ts';
import { euMorning, lazyPool, leaky, perRequest, rule, run, shared, stepLadder, steps, type RunSpec } from './timeline.ts';

const shapes = { 'step ladder': stepLadder(), 'eu-morning': euMorning(100) };
const model = (spec: RunSpec, limits: string[] = []) => modelsFor(run(spec), withDefaults(parseLimitArgs(limits)));
const failed = (spec: RunSpec) => evaluateGate(run(spec)).rules.filter((r) => !r.passed).map((r) => r.name);

// The ladder's steps start at 0, 14, 28, 42 and 56 s (10 s plateaus, 4 s cool-downs); the load ends at 66 s.
const RASCAL_CHANNELS = steps([[0, 2], [14, 4], [28, 5], [42, 7], [56, 9], [59, 10]]);

describe('bounded: pools that fill lazily and hold', () => {
  for (const [shape, phases] of Object.entries(shapes)) {
    it(`${shape}: a lazy pool of 5 connections (3 units) is bounded at 5 and passes every rule`, () => {
      const spec = { phases, connections: lazyPool(5, 40), units: 3 };
      const m = model(spec).connections;
      expect(m.shape).toBe('bounded');
      expect(m.bound).toBe(5);
      expect(failed(spec)).toEqual([]);
    });

    it(`${shape}: a Spring-like cache of 25 channels on one connection is bounded and passes every rule`, () => {
      const spec = { phases, connections: shared(1), channels: lazyPool(25, 40) };
      const m = model(spec).channels;
      expect(m.shape).toBe('bounded');
      expect(m.bound).toBe(25);
      expect(failed(spec)).toEqual([]);
      const v = evaluateGate(run(spec));
      expect(rule(v, 'channels.growth').message).toMatch(/^Channels stayed bounded at 25: from [\d.]+ s on/);
      expect(rule(v, 'channels.residue').message).toMatch(/within the bound of 25 that held during the load/);
    });

    it(`${shape}: two connections per unit (publisher + consumer), opened on first request, pass the ceiling`, () => {
      const v = evaluateGate(run({ phases, connections: steps([[0.5, 4]]), units: 2 }));
      const ceiling = rule(v, 'connections.ceiling');
      expect(ceiling.passed).toBe(true);
      expect(ceiling.message).toMatch(/^Connections peaked at 4, within the ceiling of 4 \(baseline 0 \+ 2 per unit x 2 units; RabbitMQ's guidance: one long-lived connection for publishing and one for consuming per process\)\.$/);
      expect(v.passed).toBe(true);
      // A fifth connection is one more than the guidance allows.
      expect(rule(evaluateGate(run({ phases, connections: steps([[0.5, 5]]), units: 2 })), 'connections.ceiling').passed).toBe(false);
    });
  }

  it('a pool filled only at the highest step is bounded: it rose with new load and held for the rest of the step', () => {
    const spec = { phases: stepLadder(), connections: steps([[0, 1], [56, 3], [56.5, 5], [57, 6]]), units: 3 };
    const m = model(spec).connections;
    expect(m.shape).toBe('bounded');
    expect(m.riseAtServedLoad).toBe(0); // every rise came with a new high of the load
    expect(failed(spec)).toEqual([]);
  });

  it('the same pool, when the load ends 2 s into the top step, is "not shown to be bounded", with its numbers', () => {
    const input = run({ phases: stepLadder(), connections: steps([[0, 1], [56.5, 6]]), units: 3, stopAtSec: 58 });
    const r = rule(evaluateGate(input), 'connections.growth');
    expect(r.passed).toBe(false);
    expect(r.message).toMatch(/^Connections were not shown to be bounded: each rise came with a new high of the load, up to 6 at 56\.5 s, and it was seen holding 6 for only 1\.5 s before the load ended, under the 2 s that show a level holds .*; a longer --duration gives the top load time to show whether it holds\.$/);
    // The pool it filled is no leak: the residue is judged against the baseline, so it fails too, and says why.
    expect(rule(evaluateGate(input), 'connections.residue').message).toMatch(/no bound held during the load/);
  });

  // The step-ladder scenario (40..200 req/s) compressed as the client-library tests run it: each 2-minute step
  // lasts 2/15 of the run, each pause 1/15. Rascal's pool on a loaded machine, filled to 10 only at the top
  // step (it failed one CI run this way at 8 s): at 8 s the top step and its pause are too short to show it
  // holds; at 20 s (LAZY_POOL_LADDER_SEC) they last 4 s.
  const compressedLadder = (sec: number) =>
    [1, 2, 3, 4, 5].flatMap((k) => [{ name: `step-${k}`, seconds: (2 * sec) / 15, fromRps: 40 * k }, { name: `cool-${k}`, seconds: sec / 15, fromRps: 0 }]);
  const filledAtTopStep = (sec: number) => {
    const step = (k: number) => ((k - 1) * sec) / 5 + 0.1;
    return { phases: compressedLadder(sec), connections: steps([[0.25, 2]]), channels: steps([[step(1), 2], [step(2), 4], [step(3), 6], [step(4), 7], [step(5), 10]]), units: 2 };
  };
  it('a pool filled at the top step of an 8 s step-ladder is not shown bounded, and the message says to run longer; at 20 s it is bounded', () => {
    const short = evaluateGate(run(filledAtTopStep(8)));
    expect(rule(short, 'channels.growth').message).toMatch(/^Channels were not shown to be bounded: each rise came with a new high of the load, up to 10 at 6\.5 s, and it was seen holding 10 for only 1\.3 s before the load ended.*; a longer --duration gives the top load time to show whether it holds\.$/);
    expect(modelsFor(run(filledAtTopStep(20)), withDefaults(parseLimitArgs([]))).channels).toMatchObject({ shape: 'bounded', bound: 10 });
    expect(evaluateGate(run(filledAtTopStep(20))).passed).toBe(true);
  });

  it("rascal's shape (channels 2-4-5-7-9-10 with the ladder's steps, then held; 1 connection per unit x 2) passes every channel rule", () => {
    const spec = { phases: stepLadder(), connections: steps([[0.25, 2]]), channels: RASCAL_CHANNELS, units: 2 };
    const m = model(spec).channels;
    expect(m.shape).toBe('bounded');
    expect(m.bound).toBe(10);
    expect(m.perConnection?.level).toBe(5);
    const v = evaluateGate(run(spec));
    const channelRules = v.rules.filter((r) => r.name.startsWith('channels.'));
    expect(channelRules.map((r) => r.name)).toEqual(['channels.per-connection', 'channels.growth', 'channels.residue', 'channels.churn']);
    expect(channelRules.filter((r) => !r.passed)).toEqual([]);
    // Growth and residue read the same model, so they cannot disagree about the pool.
    expect(rule(v, 'channels.growth').message).toMatch(/^Channels stayed bounded at 10/);
    expect(rule(v, 'channels.residue').message).toMatch(/^Channels were at 10 .* within the bound of 10 that held during the load/);
    expect(v.passed).toBe(true);
  });

  it('a hard per-unit channel ceiling stays available as an opt-in limit', () => {
    const input = run({ phases: stepLadder(), connections: steps([[0.25, 2]]), channels: RASCAL_CHANNELS, units: 2 });
    const v = evaluateGate(input, parseLimitArgs(['channels.ceiling<=4/unit']));
    expect(rule(v, 'channels.ceiling')).toMatchObject({ passed: false, value: '10', limit: '<=4/unit' });
    expect(rule(evaluateGate(input, parseLimitArgs(['channels.ceiling<=8/unit'])), 'channels.ceiling').passed).toBe(true);
  });
});

describe('unbounded: leaks and connections per request', () => {
  const slowLeakShapes = { 'step ladder': stepLadder(30), 'eu-morning': euMorning(100) };
  for (const [shape, phases] of Object.entries(slowLeakShapes)) {
    it(`${shape}: a slow leak of 1 connection per 500 requests is a leak: growth and residue fail`, () => {
      const spec = { phases, connections: leaky(500, 1) };
      expect(model(spec).connections.shape).toBe('leak');
      const v = evaluateGate(run(spec));
      const growth = rule(v, 'connections.growth');
      expect(growth.passed).toBe(false);
      expect(growth.message).toMatch(/^Connections kept rising with requests served, also at loads already served: .*about (1\.[89]\d?|2(\.\d+)?) per 1,000\), and .* so they leak instead of staying bounded/);
      expect(rule(v, 'connections.residue').message).toMatch(/no bound held during the load \(see connections\.growth\), so they were left open\.$/);
    });
  }

  for (const [shape, phases] of Object.entries(shapes)) {
    it(`${shape}: a connection per request, closed after it, rises and falls with load: growth and churn fail, residue passes`, () => {
      const spec = { phases, connections: perRequest(200), seed: 5 };
      expect(model(spec).connections.shape).toBe('follows-load');
      const v = evaluateGate(run(spec));
      expect(rule(v, 'connections.growth').message).toMatch(/^Connections rose and fell with the offered load: .* so they are opened per request instead of kept in a bounded pool/);
      expect(rule(v, 'connections.churn').passed).toBe(false);
      expect(rule(v, 'connections.residue').passed).toBe(true);
    });

    it(`${shape}: a connection per request, never closed (the incident), is a leak and fails ceiling, growth and residue`, () => {
      const spec = { phases, connections: leaky(1) };
      expect(model(spec).connections.shape).toBe('leak');
      const v = evaluateGate(run(spec));
      for (const name of ['connections.ceiling', 'connections.growth', 'connections.residue']) expect(rule(v, name).passed, name).toBe(false);
      expect(rule(v, 'connections.growth').message).toMatch(/about (9\d\d|1,000)(\.\d+)? per 1,000\), and they were still rising when the load ended/);
    });
  }

  it('what rose beyond the bound is residue: a pool of 5 that opens 3 more after the load', () => {
    const input = run({ phases: stepLadder(), connections: steps([[0.5, 5], [67, 8]]), units: 3 });
    const v = evaluateGate(input);
    expect(rule(v, 'connections.growth').passed).toBe(true);
    const residue = rule(v, 'connections.residue');
    expect(residue.passed).toBe(false);
    expect(residue.message).toMatch(/^Connections were still at 8 when read 4 s after the load ended: 3 above the bound of 5 that held during the load/);
  });

  it('a channel per request on one connection fails the per-connection sanity limit', () => {
    const v = evaluateGate(run({ phases: stepLadder(), connections: shared(1), channels: leaky(1, 1) }));
    const r = rule(v, 'channels.per-connection');
    expect(r.passed).toBe(false);
    expect(r.message).toMatch(/^Channels per connection reached 1,50\d at [\d.]+ s, above the sanity limit of 128/);
    expect(rule(evaluateGate(run({ phases: stepLadder(), connections: shared(1), channels: leaky(1, 1) }), parseLimitArgs(['channels.per-connection<=2000'])), 'channels.per-connection').passed).toBe(true);
  });
});

describe('gaps in the broker samples', () => {
  const withGap = (from: number, to: number) => {
    const input = run({ phases: stepLadder(), connections: lazyPool(5, 40), units: 3 });
    input.broker = input.broker.filter((s) => s.t < from || s.t > to);
    return input;
  };

  it('a rule whose window has a gap says it judged with less data', () => {
    const v = evaluateGate(withGap(21, 29.2));
    for (const name of ['connections.ceiling', 'connections.growth']) {
      expect(rule(v, name).passed, name).toBe(true);
      expect(rule(v, name).message, name).toMatch(/; judged with less data: no broker samples for 8\.[2-5] s at 21-29 s\.$/);
    }
    expect(rule(v, 'connections.residue').message).not.toMatch(/less data/);
  });

  it('gaps recorded by the sampler are used as given', () => {
    const input = run({ phases: stepLadder(), connections: lazyPool(5, 40), units: 3 });
    input.gaps = [{ from: 30, to: 32 }];
    expect(rule(evaluateGate(input), 'connections.growth').message).toMatch(/no broker samples for 2 s at 30-32 s\.$/);
  });

  it('a rule whose window is mostly gap is not judged, and does not pass', () => {
    const r = rule(evaluateGate(withGap(3, 60)), 'connections.ceiling');
    expect(r.passed).toBe(false);
    expect(r.value).toBe('n/a');
    expect(r.message).toMatch(/^Not judged: no broker samples for 5\d(\.\d)? s at 3-60 s, more than half of the 66 s this rule reads/);
  });
});

describe('abort-on-fail reads the same levels', () => {
  const upTo = (input: ReturnType<typeof run>, now: number) => ({ ...input, broker: input.broker.filter((s) => s.t <= now), load: input.load.filter((s) => s.t < Math.floor(now)) });

  it('never stops a lazily filling channel pool (rascal, Spring cache of 25) under the defaults', () => {
    for (const channels of [RASCAL_CHANNELS, lazyPool(25, 40)]) {
      const input = run({ phases: stepLadder(), connections: steps([[0.25, 2]]), channels, units: 2 });
      for (let now = 0; now <= input.loadEndSec; now += 1) expect(checkAbort(upTo(input, now), {}, now)).toBeNull();
    }
  });

  it('stops a channel per request once channels per connection passed the sanity limit for 5 s', () => {
    const input = run({ phases: euMorning(100), connections: shared(1), channels: leaky(1, 1) });
    let decision = null;
    for (let now = 0; now <= 40 && !decision; now += 0.5) decision = checkAbort(upTo(input, now), {}, now);
    expect(decision?.rule).toBe('channels.per-connection');
  });
});

describe('what the gate reads from a run record', async () => {
  const { gateInputOf } = await import('../../harness/run/build-record.ts');
  const { makePassingRecord } = await import('../fixtures/run-records.ts');

  it('counts units from the broker when connections were attributed, and takes the sampler\'s gaps', () => {
    const record = makePassingRecord();
    expect(gateInputOf(record).units).toBe(record.target.units);
    expect(gateInputOf(record).gaps).toBeUndefined();
    record.attribution = { units: 1, unitsSource: 'processes', declaredUnits: record.target.units, connections: [] };
    record.sampling = { intervalMs: 250, samples: 90, expected: 200, gaps: [{ from: 21, to: 29.2, seconds: 8.2, reason: 'sampler starved' }] };
    const input = gateInputOf(record);
    expect(input).toMatchObject({ units: 1, unitsSource: 'processes', gaps: [{ from: 21, to: 29.2 }] });
  });
});
