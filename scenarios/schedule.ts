// Turns a scenario's timeline (scenario minutes, rates at the nominal peak) into whole arrivals per
// wall second. Arrivals come from the cumulative integral of the rate, rounded, so fractional
// remainders carry from second to second and the total equals the integral at any compression.
// Seconds are computed on demand from the phases (a handful of trapezoids), never stored: a schedule
// costs the same memory for a 10 s run as for a 100,000 h soak.
import type { RunRecord } from '../harness/run-record.ts';
import { clockToMinutes, minutesToClock } from './clock.ts';
import { ScenarioError } from './define-scenario.ts';
import type { Catalog, CallMix, Scenario } from './define-scenario.ts';
import type { ScenarioFault } from './chaos-schema.ts';
import type { CallExpect } from '../harness/load/call-tally.ts';
import type { CallDef } from './calls/call-def.ts';
import type { SetupSpec } from './calls/call-schema.ts';
export { parseDurationSec } from './duration.ts';

export type SchedulePhase = RunRecord['scenario']['phases'][number];

export interface ScheduleSecond {
  /** Whole wall seconds since load start. */
  t: number;
  clock: string;
  phase: string;
  scheduled: number;
}

export interface Schedule {
  scenario: string;
  description: string;
  wallDurationSec: number;
  peakRps: number;
  seed: number;
  clockStart: string;
  /** Scenario minutes that pass per wall second. */
  minutesPerWallSec: number;
  mix: CallMix;
  catalog: Catalog;
  /** Wall seconds in the plan (the last one may be partial). */
  seconds: number;
  /** Second `t` of the plan (0 <= t < seconds), computed on demand. */
  second(t: number): ScheduleSecond;
  /**
   * Every second of the plan as an array, built on first access. For tests and short schedules only:
   * the run path uses second(t), which costs nothing per second of plan.
   */
  readonly perSecond: ScheduleSecond[];
  expect: CallExpect;
  /** The calls arrivals choose from (the reference three for a scenario with a `mix`). */
  calls: CallDef[];
  /** Setup request made once before the load, if any. */
  setup?: SetupSpec;
  /** Header carrying each request id; null when the calls carry it in the path or body. */
  requestIdHeader: string | null;
  /** Phases in wall seconds, rates scaled to this schedule's peak. */
  phases: SchedulePhase[];
  total: number;
  /** Faults in wall seconds since load start. */
  faults: Array<{ atSec: number; forSec?: number; spec: ScenarioFault['spec'] }>;
  clockAt(tSec: number): string;
}

export interface ScheduleOptions {
  /** Wall seconds to compress the timeline into; defaults to the scenario's defaultDurationSec. */
  durationSec?: number;
  /** Peak rate; every phase rate scales by peakRps / scenario.peakRps. */
  peakRps?: number;
}

export function resolveSchedule(scenario: Scenario, opts: ScheduleOptions = {}): Schedule {
  const problems: string[] = [];
  const wall = opts.durationSec ?? scenario.defaultDurationSec;
  const peak = opts.peakRps ?? scenario.peakRps;
  if (!(Number.isFinite(wall) && wall > 0)) problems.push(`--duration ${wall}: must be a positive number of seconds`);
  if (!(Number.isFinite(peak) && peak > 0)) problems.push(`--peak-rps ${peak}: must be a positive number of requests/second`);
  if (problems.length > 0) throw new ScenarioError(scenario.name, problems, 'schedule options');

  const scale = peak / scenario.peakRps;
  const secPerMinute = wall / scenario.totalMinutes;
  const startMinute = clockToMinutes(scenario.clockStart);
  const clockAt = (tSec: number): string => minutesToClock(startMinute + tSec / secPerMinute);

  const phases: SchedulePhase[] = scenario.phases.map((p) => ({
    name: p.name,
    kind: p.kind,
    startSec: p.startMinute * secPerMinute,
    endSec: (p.startMinute + p.minutes) * secPerMinute,
    fromRps: p.fromRps * scale,
    toRps: p.toRps * scale,
    clockStart: minutesToClock(startMinute + p.startMinute),
  }));
  // Guard against the last phase ending a hair before `wall` through floating-point error.
  const last = phases.at(-1);
  if (last) last.endSec = wall;

  const seconds = Math.ceil(wall - 1e-9);
  const arrivalsBefore = (t: number): number => (t <= 0 ? 0 : Math.round(cumulativeArrivals(phases, Math.min(t, wall))));
  const second = (t: number): ScheduleSecond => {
    if (!(Number.isInteger(t) && t >= 0 && t < seconds)) throw new RangeError(`schedule second ${t} is outside 0..${seconds - 1}`);
    return { t, clock: clockAt(t), phase: phaseAt(phases, t), scheduled: arrivalsBefore(t + 1) - arrivalsBefore(t) };
  };
  let materialised: ScheduleSecond[] | undefined;

  return {
    scenario: scenario.name,
    description: scenario.description,
    wallDurationSec: wall,
    peakRps: peak,
    seed: scenario.seed,
    clockStart: scenario.clockStart,
    minutesPerWallSec: 1 / secPerMinute,
    mix: scenario.mix,
    catalog: scenario.catalog,
    seconds,
    second,
    get perSecond() {
      materialised ??= Array.from({ length: seconds }, (_, t) => second(t));
      return materialised;
    },
    expect: scenario.expect,
    calls: scenario.calls,
    requestIdHeader: scenario.requestIdHeader,
    ...(scenario.setup ? { setup: scenario.setup } : {}),
    phases,
    total: arrivalsBefore(seconds),
    faults: scenario.chaos.map((f) => ({ atSec: f.atMinute * secPerMinute, ...(f.forSec !== undefined ? { forSec: f.forSec } : {}), spec: f.spec })),
    clockAt,
  };
}

/** Exact integral of the piecewise-linear rate over [0, until] wall seconds. */
export function cumulativeArrivals(phases: readonly SchedulePhase[], until: number): number {
  let sum = 0;
  for (const p of phases) {
    if (p.startSec >= until) break;
    const end = Math.min(p.endSec, until);
    const len = p.endSec - p.startSec;
    if (len <= 0) continue;
    const rateAt = (u: number): number => p.fromRps + ((p.toRps - p.fromRps) * (u - p.startSec)) / len;
    sum += ((end - p.startSec) * (p.fromRps + rateAt(end))) / 2;
  }
  return sum;
}

/** The phase in effect at wall second `t` (the one that contains its start). */
export function phaseAt(phases: readonly SchedulePhase[], t: number): string {
  for (const p of phases) if (t < p.endSec - 1e-9) return p.name;
  return phases.at(-1)?.name ?? '';
}
