// Scenarios are typed data: defineScenario() validates a spec once, reporting every problem together,
// and returns the resolved form (each phase with its start and length in scenario minutes) that the
// schedule, the payload generators and the k6 export read.
import type { z } from 'zod';
import type { CallKind } from '../harness/run-record.ts';
import { DEFAULT_EXPECT, type CallExpect } from '../harness/load/call-tally.ts';
import type { CallDef } from './calls/call-def.ts';
import { ALLOWED_CALL_KEYS, ALLOWED_SETUP_KEYS, type CallExpectSpec, type SetupSpec } from './calls/call-schema.ts';
import { callRuleProblems } from './calls/call-rules.ts';
import { userCall } from './calls/user-call.ts';
import { TIMELINE_NAMES, TIMELINES, timelinePhases, type TimelineName } from './timelines.ts';
import { DEFAULT_REQUEST_ID_HEADER, referenceCalls } from './payloads.ts';
import { chaosRuleProblems, wallSeconds, type ScenarioFault } from './chaos-schema.ts';
import { clockToMinutes } from './clock.ts';
import { ALLOWED_KEYS, scenarioSpecSchema } from './scenario-schema.ts';
import type { ParsedScenarioSpec, ScenarioSpec } from './scenario-schema.ts';
import { phaseLabel, scenarioRuleProblems } from './scenario-rules.ts';

export type { ScenarioSpec, PhaseSpec, MixSpec } from './scenario-schema.ts';

export type PhaseKind = 'constant-rate' | 'ramp' | 'pause';

export interface ScenarioPhase {
  kind: PhaseKind;
  name: string;
  description?: string;
  /** Scenario minutes since clockStart. */
  startMinute: number;
  minutes: number;
  /** Requests/second at the scenario's nominal peakRps (a constant rate has from == to; a pause 0). */
  fromRps: number;
  toRps: number;
}

export interface SizeRange {
  min: number;
  max: number;
}

export interface CallMix {
  'item-put': { weight: number };
  'items-batch': { weight: number; items: SizeRange };
  matchings: { weight: number; pairs: SizeRange };
}

export interface Catalog {
  stores: number;
  itemsPerStore: number;
}

export interface Scenario {
  name: string;
  description: string;
  clockStart: string;
  defaultDurationSec: number;
  peakRps: number;
  seed: number;
  mix: CallMix;
  catalog: Catalog;
  phases: ScenarioPhase[];
  totalMinutes: number;
  /** Faults on the timeline; empty for a sunny morning. */
  chaos: ScenarioFault[];
  /** Answers besides 2xx the calls expect (accepted, refused by design, shed during faults). */
  expect: CallExpect;
  /** What arrivals choose from: the user's calls, or the reference three from `mix`. */
  calls: CallDef[];
  setup?: SetupSpec;
  requestIdHeader: string | null;
}

export const CALL_KINDS: readonly CallKind[] = ['item-put', 'items-batch', 'matchings'];
export const DEFAULT_CATALOG: Catalog = { stores: 120, itemsPerStore: 20_000 };

/** A scenario failed validation; `problems` lists every one, each naming its field. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  constructor(
    readonly scenario: string,
    readonly problems: string[],
    readonly source?: string,
  ) {
    const where = source ? ` (${source})` : '';
    // One problem reads best as one line; several are listed, all at once (k6 style).
    super(
      problems.length === 1
        ? `Scenario "${scenario}"${where} is invalid: ${problems[0]}. Fix it in the scenario definition; scenarios/eu-morning.ts is a complete example.`
        : `Scenario "${scenario}"${where} is invalid, ${problems.length} problems:\n` +
            problems.map((p) => `  - ${p}`).join('\n') +
            '\nFix them in the scenario definition; scenarios/eu-morning.ts is a complete example.',
    );
  }
}

const BRAND = Symbol.for('rushgate.scenario');

export function isScenario(value: unknown): value is Scenario {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * A scenario that defineScenario() resolved in another thread (a user's file, evaluated in a worker) and
 * that arrived as plain data: it was validated there, so it is only marked as resolved here.
 */
export function adoptScenario(value: Scenario): Scenario {
  Object.defineProperty(value, BRAND, { value: true, enumerable: false });
  return value;
}

/** Validate a scenario spec (strictly, all problems at once) and resolve its timeline. */
export function defineScenario(input: ScenarioSpec | NamedTimelineSpec, source?: string): Scenario {
  if (isScenario(input)) return input;
  const spec = withTimeline(input);
  const parsed = scenarioSpecSchema.safeParse(spec);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => describeIssue(issue, spec));
  const raw = input as Record<string, unknown>;
  if (raw.timeline !== undefined && (raw.phases !== undefined || raw.clockStart !== undefined)) problems.push('timeline: give either "timeline" or "clockStart" + "phases", not both');
  problems.push(...scenarioRuleProblems(spec), ...chaosRuleProblems((spec as { chaos?: unknown }).chaos), ...callRuleProblems(spec));
  if (!parsed.success || problems.length > 0) throw new ScenarioError(scenarioName(spec), problems, source);
  return resolve(parsed.data);
}

function resolve(spec: ParsedScenarioSpec): Scenario {
  const start = clockToMinutes(spec.clockStart);
  let at = 0;
  const phases = spec.phases.map((p): ScenarioPhase => {
    const minutes = p.minutes ?? clockToMinutes(p.until as string) - (start + at);
    const [fromRps, toRps] = p.kind === 'ramp' ? [p.fromRps, p.toRps] : p.kind === 'constant-rate' ? [p.rps, p.rps] : [0, 0];
    const phase: ScenarioPhase = { kind: p.kind, name: p.name, startMinute: at, minutes, fromRps, toRps };
    if (p.description !== undefined) phase.description = p.description;
    at += minutes;
    return phase;
  });
  const m = spec.mix ?? {};
  const mix: CallMix = {
    'item-put': { weight: m['item-put']?.weight ?? 0 },
    'items-batch': { weight: m['items-batch']?.weight ?? 0, items: m['items-batch']?.items ?? { min: 10, max: 500 } },
    matchings: { weight: m.matchings?.weight ?? 0, pairs: m.matchings?.pairs ?? { min: 1, max: 20 } },
  };
  const expect = mergeExpect(DEFAULT_EXPECT, spec.expect);
  const requestIdHeader = spec.requestIdHeader === undefined ? DEFAULT_REQUEST_ID_HEADER : spec.requestIdHeader;
  const calls = spec.calls
    ? Object.entries(spec.calls).map(([name, c]) => userCall(name, c, mergeExpect(expect, c.expect), requestIdHeader))
    : referenceCalls(mix, expect, requestIdHeader);
  const scenario: Scenario = {
    name: spec.name,
    description: spec.description,
    clockStart: spec.clockStart,
    defaultDurationSec: spec.defaultDurationSec,
    peakRps: spec.peakRps,
    seed: spec.seed,
    mix,
    catalog: spec.catalog ?? { ...DEFAULT_CATALOG },
    expect,
    calls,
    ...(spec.setup ? { setup: spec.setup } : {}),
    requestIdHeader,
    phases,
    totalMinutes: at,
    chaos: (spec.chaos ?? []).map((c) => ({
      spec: c,
      atMinute: (((clockToMinutes(c.at) - start) % 1440) + 1440) % 1440,
      ...(c.for !== undefined ? { forSec: wallSeconds(c.for) } : {}),
    })),
  };
  Object.defineProperty(scenario, BRAND, { value: true, enumerable: false });
  return scenario;
}

/** A scenario that names a timeline (`timeline: 'eu-morning'`) instead of writing clockStart and phases. */
export type NamedTimelineSpec = Omit<ScenarioSpec, 'clockStart' | 'phases'> & { timeline: TimelineName; clockStart?: undefined; phases?: undefined };

function withTimeline(input: ScenarioSpec | NamedTimelineSpec): ScenarioSpec {
  const raw = input as Record<string, unknown>;
  const name = raw.timeline;
  if (typeof name !== 'string' || !(TIMELINE_NAMES as string[]).includes(name)) return input as ScenarioSpec;
  // Giving phases or clockStart too is reported by the rules; the timeline fills only what is missing.
  const peak = typeof raw.peakRps === 'number' && raw.peakRps > 0 ? raw.peakRps : TIMELINES[name as TimelineName].peakRps;
  const t = timelinePhases(name as TimelineName, peak);
  return { ...t, ...input, clockStart: raw.clockStart ?? t.clockStart, phases: raw.phases ?? t.phases } as ScenarioSpec;
}

function mergeExpect(base: CallExpect, over: CallExpectSpec | undefined): CallExpect {
  return { accepted: over?.accepted ?? base.accepted, refused: over?.refused ?? base.refused, shed: over?.shed ?? base.shed };
}

function scenarioName(spec: unknown): string {
  const n = typeof spec === 'object' && spec !== null ? (spec as Record<string, unknown>).name : undefined;
  return typeof n === 'string' && n.length > 0 ? n : '(unnamed)';
}

function formatPath(path: PropertyKey[], spec: unknown): string {
  if (path.length === 0) return 'scenario';
  const phases = typeof spec === 'object' && spec !== null ? (spec as Record<string, unknown>).phases : undefined;
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    if (i === 1 && path[0] === 'phases' && typeof key === 'number') out = phaseLabel(phases, key);
    else if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

function describeIssue(issue: z.core.$ZodIssue, spec: unknown): string {
  const where = formatPath(issue.path, spec);
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeysAt(issue.path, spec);
    const keys = issue.keys.map((k) => `"${k}"`).join(', ');
    return `${where}: unknown key ${keys}${allowed ? ` (allowed: ${allowed.join(', ')})` : ''}`;
  }
  if (issue.code === 'invalid_type') {
    if (issue.message.endsWith('received undefined')) return `${where}: is required (${issue.expected})`;
    const article = /^[aeiou]/.test(String(issue.expected)) ? 'an' : 'a';
    return `${where}: must be ${article} ${issue.expected}${issue.input === null ? ', not null' : ''}`;
  }
  if (issue.code === 'too_small' || issue.code === 'too_big') {
    const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
    const op = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
    if (issue.origin === 'number' || issue.origin === 'int') return `${where}: must be ${op} ${String(bound)}`;
    if (issue.origin === 'array') return `${where}: needs ${op} ${String(bound)} entries`;
  }
  if (issue.code === 'invalid_union' && issue.path.at(-1) === 'kind') {
    return `${where}: must be one of "constant-rate", "ramp", "pause"`;
  }
  return `${where}: ${issue.message}`;
}

function allowedKeysAt(path: PropertyKey[], spec: unknown): string[] | undefined {
  if (path.length === 0) return ALLOWED_KEYS.scenario;
  if (path.length === 1 && path[0] === 'mix') return ALLOWED_KEYS.mix;
  if (path.length === 1 && path[0] === 'catalog') return ALLOWED_KEYS.catalog;
  if (path.length === 1 && path[0] === 'expect') return ALLOWED_KEYS.expect;
  if (path.length === 2 && path[0] === 'calls') return ALLOWED_CALL_KEYS;
  if (path.length === 1 && path[0] === 'setup') return ALLOWED_SETUP_KEYS;
  if (path.length === 2 && path[0] === 'phases' && typeof path[1] === 'number') {
    const phases = (spec as { phases?: unknown }).phases;
    const phase = Array.isArray(phases) ? phases[path[1]] : undefined;
    const kind = typeof phase === 'object' && phase !== null ? (phase as { kind?: unknown }).kind : undefined;
    return typeof kind === 'string' ? ALLOWED_KEYS.phase[kind] : undefined;
  }
  return undefined;
}
