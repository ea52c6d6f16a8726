import { describe, expect, it } from 'vitest';
import { defineScenario, ScenarioError, type ScenarioSpec } from '../../scenarios/define-scenario.ts';
import { BUILT_IN_SCENARIOS } from '../../scenarios/index.ts';

const valid: ScenarioSpec = {
  name: 'tiny',
  description: 'a small valid scenario',
  clockStart: '07:00',
  defaultDurationSec: 10,
  peakRps: 100,
  seed: 1,
  mix: { 'item-put': { weight: 1 } },
  phases: [
    { kind: 'constant-rate', name: 'warm', minutes: 30, rps: 10 },
    { kind: 'ramp', name: 'climb', until: '08:00', fromRps: 10, toRps: 100 },
    { kind: 'pause', name: 'rest', minutes: 15 },
  ],
};

function problemsOf(spec: unknown): string[] {
  try {
    defineScenario(spec as ScenarioSpec);
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as ScenarioError).problems;
  }
  throw new Error('expected a ScenarioError');
}

describe('defineScenario', () => {
  it('resolves phase starts and lengths, turning `until` into minutes', () => {
    const s = defineScenario(valid);
    expect(s.phases.map((p) => [p.name, p.startMinute, p.minutes, p.fromRps, p.toRps])).toEqual([
      ['warm', 0, 30, 10, 10],
      ['climb', 30, 30, 10, 100],
      ['rest', 60, 15, 0, 0],
    ]);
    expect(s.totalMinutes).toBe(75);
    expect(s.mix['items-batch'].weight).toBe(0);
    expect(s.catalog.stores).toBeGreaterThan(0);
  });

  it('accepts its own output again (loading a built scenario is idempotent)', () => {
    const s = defineScenario(valid);
    expect(defineScenario(s as unknown as ScenarioSpec)).toBe(s);
  });

  it('reports every problem at once, each naming its field', () => {
    const bad = {
      name: 'Bad Name',
      description: 'x',
      clockStart: '25:00',
      defaultDurationSec: 0,
      peakRps: 100,
      seed: 1,
      peakRPS: 5,
      mix: { 'item-put': { weight: 0 }, 'items-batch': { weight: 0, items: { min: 50, max: 10 } } },
      phases: [
        { kind: 'constant-rate', name: 'a', minutes: 10, rps: 150 },
        { kind: 'ramp', name: 'a', minutes: 5, fromRps: -1, toRps: 10, colour: 'red' },
        { kind: 'burst', name: 'c', minutes: 5 },
        { kind: 'pause', name: 'd' },
        { kind: 'pause', name: 'e', minutes: 5, until: '09:00' },
      ],
    };
    const problems = problemsOf(bad);
    const expected = [
      /^name: must be lower-case kebab-case/,
      /^clockStart: must be a 24-hour UTC clock label/,
      /^defaultDurationSec: must be > 0$/,
      /^scenario: unknown key "peakRPS" \(allowed: .*peakRps/,
      /^mix.items-batch.items: min 50 is above max 10/,
      /^mix: every weight is 0/,
      /^phases\[0\] "a": rps 150 is above peakRps 100/,
      /^phases\[1\] "a": name is also used by phases\[0\]/,
      /^phases\[1\] "a".fromRps: must be >= 0$/,
      /^phases\[1\] "a": unknown key "colour" \(allowed: kind, name, minutes, until, description, fromRps, toRps\)/,
      /^phases\[2\] "c".kind: must be one of "constant-rate", "ramp", "pause"/,
      /^phases\[3\] "d": missing its length/,
      /^phases\[4\] "e": give either "minutes" or "until", not both/,
    ];
    for (const re of expected) expect(problems.some((p) => re.test(p)), `${re} in\n${problems.join('\n')}`).toBe(true);
    expect(problems).toHaveLength(expected.length);
  });

  it('puts all problems in the error message with a pointer to a working example', () => {
    const err = (() => {
      try {
        defineScenario({ ...valid, seed: -1, peakRps: 0 });
      } catch (e) {
        return e as ScenarioError;
      }
      return undefined;
    })();
    expect(err?.message).toMatch(/Scenario "tiny" is invalid, 2 problems:/);
    expect(err?.message).toMatch(/seed/);
    expect(err?.message).toMatch(/peakRps/);
    expect(err?.message).toMatch(/eu-morning\.ts/);
  });

  it('rejects an `until` that does not move the clock forward', () => {
    const problems = problemsOf({
      ...valid,
      phases: [
        { kind: 'constant-rate', name: 'a', until: '07:30', rps: 5 },
        { kind: 'constant-rate', name: 'b', until: '07:15', rps: 5 },
      ],
    });
    expect(problems).toEqual([expect.stringMatching(/^phases\[1\] "b": until 07:15 is not after the phase's start 07:30/)]);
  });

  it('refuses a scenario that would send nothing, and the reserved drain phase name', () => {
    const problems = problemsOf({ ...valid, phases: [{ kind: 'pause', name: 'drain', minutes: 5 }] });
    expect(problems).toEqual([
      expect.stringMatching(/"drain" is reserved/),
      expect.stringMatching(/would send no requests/),
    ]);
  });

  it('refuses batches above the contract limit of 1000 items', () => {
    const problems = problemsOf({ ...valid, mix: { 'items-batch': { weight: 1, items: { min: 10, max: 5000 } } } });
    expect(problems).toEqual([expect.stringMatching(/^mix.items-batch.items: max 5000 is above the contract's limit of 1000/)]);
  });

  it('ships valid built-ins with the phases their names promise', () => {
    expect(Object.keys(BUILT_IN_SCENARIOS)).toEqual(expect.arrayContaining(['eu-morning', 'soak', 'spike', 'step-ladder']));
    const eu = BUILT_IN_SCENARIOS['eu-morning']!;
    const at = (name: string) => eu.phases.find((p) => p.name === name)!;
    expect(eu.clockStart).toBe('05:30');
    expect(eu.totalMinutes).toBe(270);
    expect(at('peak-1')).toMatchObject({ startMinute: 135, minutes: 25, fromRps: eu.peakRps, toRps: eu.peakRps });
    expect(at('peak-2')).toMatchObject({ startMinute: 240, minutes: 10 });
    expect(at('night').fromRps / eu.peakRps).toBeCloseTo(0.03, 2);
    expect(at('opening-ramp').startMinute).toBe(30);
    const ladder = BUILT_IN_SCENARIOS['step-ladder']!;
    expect(ladder.phases.map((p) => p.name)).toEqual(['step-1', 'cool-1', 'step-2', 'cool-2', 'step-3', 'cool-3', 'step-4', 'cool-4', 'step-5', 'cool-5']);
    const steps = ladder.phases.filter((p) => p.kind === 'constant-rate').map((p) => p.fromRps);
    expect(steps.map((r) => r / steps[0]!)).toEqual([1, 2, 3, 4, 5]);
  });
});
