import { describe, expect, it } from 'vitest';
import { defineScenario, type Scenario } from '../../scenarios/define-scenario.ts';
import { BUILT_IN_SCENARIOS } from '../../scenarios/index.ts';
import { parseDurationSec, resolveSchedule } from '../../scenarios/schedule.ts';

/** The rate integral straight from the scenario's phases (trapezoids), independent of the schedule code. */
function expectedTotal(s: Scenario, durationSec: number, peakRps: number): number {
  const secPerMinute = durationSec / s.totalMinutes;
  const scale = peakRps / s.peakRps;
  return s.phases.reduce((sum, p) => sum + p.minutes * secPerMinute * ((p.fromRps + p.toRps) / 2) * scale, 0);
}

const scenarios = Object.values(BUILT_IN_SCENARIOS);
const durations = [1, 3.7, 7, 45, 45.5, 61, 600, 3600];
const peaks = [0.9, 7.3, 200, 5000];

describe('resolveSchedule', () => {
  it.each(scenarios.map((s) => [s.name, s] as const))('%s: whole arrivals per second add up to the rate integral at any compression', (_name, s) => {
    for (const durationSec of durations) {
      for (const peakRps of peaks) {
        const sch = resolveSchedule(s, { durationSec, peakRps });
        const sum = sch.perSecond.reduce((n, p) => n + p.scheduled, 0);
        const integral = expectedTotal(s, durationSec, peakRps);
        expect(sum).toBe(sch.total);
        expect(Math.abs(sch.total - integral), `${s.name} ${durationSec}s @${peakRps}`).toBeLessThanOrEqual(0.5 + 1e-6);
        expect(sch.perSecond).toHaveLength(Math.ceil(durationSec));
        expect(sch.perSecond.every((p) => Number.isInteger(p.scheduled) && p.scheduled >= 0)).toBe(true);
      }
    }
  });

  it('carries fractions: 0.3 req/s over 10 s gives 3 arrivals, not 0', () => {
    const s = defineScenario({
      name: 'trickle', description: 't', clockStart: '00:00', defaultDurationSec: 10, peakRps: 0.3, seed: 1,
      mix: { 'item-put': { weight: 1 } },
      phases: [{ kind: 'constant-rate', name: 'only', minutes: 10, rps: 0.3 }],
    });
    const sch = resolveSchedule(s);
    expect(sch.total).toBe(3);
    expect(sch.perSecond.map((p) => p.scheduled).filter((n) => n > 0)).toEqual([1, 1, 1]);
  });

  it('compresses eu-morning into 45 s with the peak at 07:45-08:10 running at peakRps', () => {
    const sch = resolveSchedule(BUILT_IN_SCENARIOS['eu-morning']!);
    expect(sch.wallDurationSec).toBe(45);
    expect(sch.minutesPerWallSec).toBeCloseTo(6, 9);
    const peak = sch.phases.find((p) => p.name === 'peak-1')!;
    expect(peak).toMatchObject({ clockStart: '07:45', fromRps: 200, toRps: 200 });
    expect(peak.startSec).toBeCloseTo(22.5, 9);
    expect(peak.endSec).toBeCloseTo(26.6667, 3);
    const inPeak = sch.perSecond.filter((p) => p.phase === 'peak-1');
    expect(inPeak.map((p) => p.clock)).toEqual(['07:48', '07:54', '08:00', '08:06']);
    expect(inPeak.slice(0, 3).map((p) => p.scheduled)).toEqual([200, 200, 200]);
    expect(sch.perSecond[0]).toMatchObject({ t: 0, clock: '05:30', phase: 'night', scheduled: 6 });
    expect(sch.clockAt(45)).toBe('10:00');
    expect(sch.phases.at(-1)!.endSec).toBe(45);
  });

  it('--duration stretches the timeline and --peak-rps scales every rate', () => {
    const eu = BUILT_IN_SCENARIOS['eu-morning']!;
    const base = resolveSchedule(eu);
    const long = resolveSchedule(eu, { durationSec: 90 });
    const double = resolveSchedule(eu, { peakRps: 400 });
    expect(long.phases.map((p) => p.startSec)).toEqual(base.phases.map((p) => p.startSec * 2));
    expect(Math.abs(long.total - 2 * base.total)).toBeLessThanOrEqual(1);
    expect(double.phases.map((p) => p.toRps)).toEqual(base.phases.map((p) => p.toRps * 2));
    expect(Math.abs(double.total - 2 * base.total)).toBeLessThanOrEqual(1);
    expect(double.perSecond[24]!.scheduled).toBe(400);
  });

  it('rejects a non-positive duration or peak with a ScenarioError naming the option', () => {
    const eu = BUILT_IN_SCENARIOS['eu-morning']!;
    expect(() => resolveSchedule(eu, { durationSec: 0 })).toThrow(/--duration 0: must be a positive number/);
    expect(() => resolveSchedule(eu, { peakRps: -5, durationSec: Number.NaN })).toThrow(/2 problems[\s\S]*--duration NaN[\s\S]*--peak-rps -5/);
  });

  it('labels each second with the phase that holds its start, pauses included', () => {
    const sch = resolveSchedule(BUILT_IN_SCENARIOS['step-ladder']!, { durationSec: 15 });
    expect(sch.perSecond.map((p) => p.phase)).toEqual([
      'step-1', 'step-1', 'cool-1', 'step-2', 'step-2', 'cool-2', 'step-3', 'step-3', 'cool-3',
      'step-4', 'step-4', 'cool-4', 'step-5', 'step-5', 'cool-5',
    ]);
    expect(sch.perSecond.filter((p) => p.phase.startsWith('cool')).every((p) => p.scheduled === 0)).toBe(true);
  });
});

describe('schedule seconds on demand', () => {
  it('a 100,000 h schedule holds no per-second array; second(t) matches the arrivals integral anywhere in it', () => {
    const s = BUILT_IN_SCENARIOS['eu-morning']!;
    const durationSec = 100_000 * 3600;
    const heapBefore = process.memoryUsage().heapUsed;
    const sch = resolveSchedule(s, { durationSec, peakRps: 100 });
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(5 * 1024 * 1024);
    expect(sch.seconds).toBe(durationSec);
    expect(Math.abs(sch.total - expectedTotal(s, durationSec, 100))).toBeLessThanOrEqual(0.5 + 1e-3);
    for (const t of [0, 1, 12_345_678, durationSec - 1]) {
      const second = sch.second(t);
      expect(second.t).toBe(t);
      expect(Number.isInteger(second.scheduled) && second.scheduled >= 0).toBe(true);
    }
    expect(() => sch.second(durationSec)).toThrow(RangeError);
  });

  it('second(t) is the same second the materialised view holds', () => {
    const sch = resolveSchedule(BUILT_IN_SCENARIOS['eu-morning']!, { durationSec: 45.5, peakRps: 7.3 });
    expect(Array.from({ length: sch.seconds }, (_, t) => sch.second(t))).toEqual(sch.perSecond);
  });
});

describe('parseDurationSec', () => {
  it('reads the CLI spellings', () => {
    expect(parseDurationSec('60s')).toBe(60);
    expect(parseDurationSec('45')).toBe(45);
    expect(parseDurationSec('2m')).toBe(120);
    expect(parseDurationSec('1m30s')).toBe(90);
    expect(parseDurationSec('1h')).toBe(3600);
    expect(parseDurationSec(12)).toBe(12);
    expect(parseDurationSec('soon')).toBeNaN();
    expect(parseDurationSec('')).toBeNaN();
  });
});
