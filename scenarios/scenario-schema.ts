// The structural shape of a scenario file, decoded strictly: unknown keys fail so a typo such as
// `peakRPS` is an error instead of a silently ignored setting. Cross-field rules (timeline order,
// rates above the peak, ...) live in scenario-rules.ts because zod skips refinements once any field
// fails, and a scenario must report every problem in one go.
import { z } from 'zod';
import { chaosSpecSchema } from './chaos-schema.ts';
import { isClock } from './clock.ts';
import { callsSpecSchema, setupSpecSchema, type CallSpec } from './calls/call-schema.ts';

const NAME_RE = /^[a-z0-9][a-z0-9-]*$/;

const name = z.string().regex(NAME_RE, 'must be lower-case kebab-case, e.g. "peak-1"').max(48);
const clock = z.string().refine(isClock, 'must be a 24-hour UTC clock label "HH:MM", e.g. "07:45"');
const rps = z.number().finite().min(0);
const sizeRange = z.strictObject({ min: z.number().int().min(1), max: z.number().int().min(1) });

const timing = {
  /** Length in scenario-clock minutes. Give this or `until`. */
  minutes: z.number().finite().positive().optional(),
  /** Scenario clock label where the phase ends. Give this or `minutes`. */
  until: clock.optional(),
  description: z.string().optional(),
};

export const phaseSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('constant-rate'), name, ...timing, rps }),
  z.strictObject({ kind: z.literal('ramp'), name, ...timing, fromRps: rps, toRps: rps }),
  z.strictObject({ kind: z.literal('pause'), name, ...timing }),
]);

export const mixSpecSchema = z.strictObject({
  'item-put': z.strictObject({ weight: z.number().finite().min(0) }).optional(),
  'items-batch': z.strictObject({ weight: z.number().finite().min(0), items: sizeRange }).optional(),
  matchings: z.strictObject({ weight: z.number().finite().min(0), pairs: sizeRange }).optional(),
});

const statusList = z.array(z.number().int().min(100).max(599));
/** Answers besides 2xx that the scenario expects: accepted, refused by design, or shed during a fault. */
export const expectSpecSchema = z.strictObject({
  accepted: statusList.optional(),
  refused: statusList.optional(),
  /** Refused by design only while a fault is active and with Retry-After (default [503]). */
  shed: statusList.optional(),
});

export const catalogSpecSchema = z.strictObject({
  stores: z.number().int().min(1).max(100_000),
  itemsPerStore: z.number().int().min(1).max(10_000_000),
});

export const scenarioSpecSchema = z.strictObject({
  name,
  description: z.string().min(1),
  /** Scenario clock at load start, UTC (comes from `timeline` when one is named). */
  clockStart: clock,
  /** Wall seconds the whole timeline is compressed into unless --duration says otherwise. */
  defaultDurationSec: z.number().finite().positive().max(86_400),
  /** Nominal peak; phase rates are requests/second at this peak and scale with --peak-rps. */
  peakRps: z.number().finite().positive(),
  seed: z.number().int().min(0).max(0xffff_ffff),
  /** The reference contract's three calls by weight; or give `calls`. */
  mix: mixSpecSchema.optional(),
  /** Your own calls by name (scenarios/calls/call-schema.ts); or give `mix`. */
  calls: callsSpecSchema.optional(),
  /** A request made once before the load; calls read its JSON answer as `${setup.path}`. */
  setup: setupSpecSchema.optional(),
  /** Header that carries each call's request id (default X-Request-Id); null to send none (put `${requestId}` in the path or body). */
  requestIdHeader: z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name').nullable().optional(),
  catalog: catalogSpecSchema.optional(),
  /** Statuses every call expects besides 2xx; anything else counts as failed (errors.rate). */
  expect: expectSpecSchema.optional(),
  phases: z.array(phaseSpecSchema).min(1),
  /** A named timeline instead of clockStart + phases, rates scaled to peakRps: 'eu-morning'. */
  timeline: z.enum(['eu-morning']).optional(),
  /** Faults on the timeline (harness/chaos/). */
  chaos: z.array(chaosSpecSchema).optional(),
});

export type PhaseSpec = z.input<typeof phaseSpecSchema>;
export type MixSpec = z.input<typeof mixSpecSchema>;
export type ScenarioSpec = Omit<z.input<typeof scenarioSpecSchema>, 'calls'> & { calls?: Record<string, CallSpec> };
export type ParsedScenarioSpec = z.output<typeof scenarioSpecSchema>;

/** Keys each object accepts, quoted back to the user when they write an unknown one. */
export const ALLOWED_KEYS = {
  scenario: Object.keys(scenarioSpecSchema.shape),
  mix: Object.keys(mixSpecSchema.shape),
  catalog: Object.keys(catalogSpecSchema.shape),
  expect: Object.keys(expectSpecSchema.shape),
  phase: {
    'constant-rate': ['kind', 'name', 'minutes', 'until', 'description', 'rps'],
    ramp: ['kind', 'name', 'minutes', 'until', 'description', 'fromRps', 'toRps'],
    pause: ['kind', 'name', 'minutes', 'until', 'description'],
  } as Record<string, string[]>,
};
