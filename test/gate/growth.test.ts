import { describe, expect, it } from 'vitest';
import { evaluateGate } from '../../harness/gate/evaluate.ts';
import { modelsFor } from '../../harness/gate/model.ts';
import { parseLimitArgs, withDefaults } from '../../harness/gate/limits.ts';
import {
  concurrencyPool,
  euMorning,
  lazyPool,
  leaky,
  perRequest,
  rule,
  run,
  shared,
  stepLadder,
  withBlips,
  type Model,
} from './timeline.ts';

const growth = (input: ReturnType<typeof run>, limits: string[] = []) => rule(evaluateGate(input, parseLimitArgs(limits)), 'connections.growth');
const shapes = { 'step ladder': stepLadder(), 'eu-morning': euMorning(100) };

describe('connections.growth', () => {
  for (const [shapeName, phases] of Object.entries(shapes)) {
    describe(`on the ${shapeName}`, () => {
      it('passes a shared connection per unit', () => {
        const r = growth(run({ phases, connections: shared(3), units: 3 }));
        expect(r.passed).toBe(true);
        expect(r.value).toBe('bounded at 3');
        expect(r.message).toMatch(/^Connections stayed bounded at 3: from 0 s on/);
      });

      it('fails the incident leak (a connection per request, never closed)', () => {
        const r = growth(run({ phases, connections: leaky(1) }));
        expect(r.passed).toBe(false);
        expect(r.message).toMatch(/^Connections kept rising with requests served, also at loads already served/);
        expect(r.message).toMatch(/about (9\d\d|1,000)(\.\d+)? per 1,000/);
      });

      it('fails a slow leak of one connection per 300 requests', () => {
        const input = run({ phases, connections: leaky(300, 1) });
        const r = growth(input);
        expect(r.passed).toBe(false);
        expect(r.message).toMatch(/about [34](\.\d+)? per 1,000/);
        expect(Number(r.value.slice(1))).toBeGreaterThanOrEqual(2);
      });

      it('passes a lazy pool that opens up to 8 connections and then holds them', () => {
        const r = growth(run({ phases, connections: lazyPool(8, 40) }));
        expect(r.passed).toBe(true);
        expect(r.message).toMatch(/^Connections stayed bounded at 8: from [\d.]+ s on \(at \d+ req\/s\) they held between 7 and 8 over the next/);
      });

      it('passes a pool that grows with the concurrency it has seen, capped at 6', () => {
        const r = growth(run({ phases, connections: concurrencyPool(6, 200), seed: 7 }));
        expect(r.passed).toBe(true);
      });

      it('passes brief noise: one-sample blips of +1 and +3 on a shared connection', () => {
        const noisy = withBlips(withBlips(shared(2), 0.05, 1), 0.01, 3);
        const input = run({ phases, connections: noisy, units: 2, seed: 3 });
        expect(input.broker.some((s) => s.connections > 2)).toBe(true); // the noise is really there
        const v = evaluateGate(input);
        for (const name of ['connections.ceiling', 'connections.growth', 'connections.residue']) expect(rule(v, name).passed, name).toBe(true);
      });

      it('fails connections opened per in-flight request (they grow with load)', () => {
        const r = growth(run({ phases, connections: perRequest(200), seed: 5 }));
        expect(r.passed).toBe(false);
        expect(r.message).toMatch(/^Connections rose and fell with the offered load/);
      });
    });
  }

  it('passes a sustained +1 that appears late (within the default allowance of 1)', () => {
    const plusOneLate: Model = (c) => (c.requests > 1200 ? { open: 2, opened: 2 } : { open: 1, opened: 1 });
    const r = growth(run({ phases: stepLadder(), connections: plusOneLate }));
    expect(r.passed).toBe(true);
    expect(r.value).toBe('bounded at 2');
    expect(r.message).toMatch(/held between 1 and 2/);
  });

  it('fails a +2 late rise at a load already served, and passes it when the user allows <=2', () => {
    // Mid-way through the top step: not a new high of the load, so not a pool growing with it.
    const plusTwoLate: Model = (c) => (c.requests > 1200 ? { open: 3, opened: 3 } : { open: 1, opened: 1 });
    const input = run({ phases: stepLadder(), connections: plusTwoLate });
    expect(growth(input).passed).toBe(false);
    const relaxed = growth(input, ['connections.growth<=2']);
    expect(relaxed.passed).toBe(true);
    expect(relaxed.limit).toBe('<=2');
    expect(growth(input, ['connections.growth<2']).passed).toBe(false);
  });

  it('fails a leak of one connection every 30 requests with 4 units', () => {
    const r = growth(run({ phases: stepLadder(), connections: leaky(30, 4), units: 4 }));
    expect(r.passed).toBe(false);
    expect(Number(r.value.slice(1))).toBeGreaterThanOrEqual(20); // 1,500 requests / 30, half of them late
  });

  it('a pool still filling at peak load cannot be told from growth: it fails unless allowed', () => {
    // Fills one connection per 200 requests up to 8: still opening new ones in the last plateau.
    const input = run({ phases: stepLadder(), connections: lazyPool(8, 200) });
    expect(growth(input).passed).toBe(false);
    expect(growth(input, ['connections.growth<=8']).passed).toBe(true);
  });

  it('a +2 that comes with the top step and holds is a pool growing with new load: bounded', () => {
    const withTopStep: Model = (c) => (c.requests > 1000 ? { open: 3, opened: 3 } : { open: 1, opened: 1 });
    const r = growth(run({ phases: stepLadder(), connections: withTopStep }));
    expect(r.passed).toBe(true);
    expect(r.value).toBe('bounded at 3');
  });

  it('excuses load coupling once the level is flat from mid to peak load (a bound was reached)', () => {
    // A pool that shrinks when idle: follows load, but capped at 4 well before the peak.
    const shrinking: Model = (c) => {
      const open = Math.min(4, Math.ceil((c.rps * 200) / 1000));
      return { open, opened: 0 };
    };
    const input = run({ phases: stepLadder(), connections: shrinking });
    const fall = modelsFor(input, withDefaults()).connections.fall!;
    expect(fall.drop).toBeGreaterThan(1); // it does rise and fall with load...
    expect(fall.boundBeforePeak).toBe(true);
    const r = growth(input);
    expect(r.passed).toBe(true); // ...but it is bounded
    expect(r.message).toMatch(/^Connections stayed bounded at 4/);
  });

  it('applies to channels on their own: one connection, a channel per request never closed', () => {
    const v = evaluateGate(run({ phases: euMorning(50), connections: shared(1), channels: leaky(1, 1) }));
    expect(rule(v, 'connections.growth').passed).toBe(true);
    const ch = rule(v, 'channels.growth');
    expect(ch.passed).toBe(false);
    expect(ch.message).toMatch(/^Channels kept rising/);
  });

  it('is not judged (and fails) without broker samples during the load', () => {
    const input = run({ phases: stepLadder(), connections: shared(1) });
    input.broker = input.broker.filter((s) => s.t < 0);
    const r = growth(input);
    expect(r.passed).toBe(false);
    expect(r.message).toMatch(/^Not judged/);
  });

  it('fails a leak that the broker capped early: held flat at connection_max is not bounded', () => {
    const input = run({ phases: euMorning(100), connections: leaky(1), units: 2 });
    // The broker stopped admitting connections at 150: every later sample sits at the cap.
    for (const s of input.broker) s.connections = Math.min(s.connections, 150);
    const uncapped = growth(input);
    expect(uncapped.passed).toBe(true); // what the rule saw before it knew the cap: a flat line
    input.connectionMax = 150;
    const r = growth(input);
    expect(r.passed).toBe(false);
    expect(r.message).toMatch(/connection_max of 150/);
    const healthy = run({ phases: euMorning(100), connections: shared(2), units: 2 });
    healthy.connectionMax = 150;
    expect(growth(healthy).passed).toBe(true);
  });
});
