// The shape of user-defined calls in a scenario: `calls: { 'product-post': { method, path, headers, body,
// weight, vars, expect } }`, a `setup` request made once before the load, and where the request id goes.
// Strict like the rest of the scenario: an unknown key is an error, not a silently ignored setting.
import { z } from 'zod';

const CALL_NAME_RE = /^[a-z0-9][a-z0-9-]*$/;
export const callName = z.string().regex(CALL_NAME_RE, 'must be lower-case kebab-case, e.g. "product-post"').max(48);

const status = z.number().int().min(100).max(599);
export const callExpectSchema = z.strictObject({
  /** Statuses besides 2xx that count as accepted. */
  accepted: z.array(status).optional(),
  /** Statuses refused by design, e.g. [409] for a duplicate: neither accepted nor failed. */
  refused: z.array(status).optional(),
  /** Refused by design only while a fault is active and with Retry-After (default [503]). */
  shed: z.array(status).optional(),
});

/** Seeded value generators a call's templates read as `${name}`. */
export const generatorSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('store') }),
  z.strictObject({ kind: z.literal('item') }),
  z.strictObject({ kind: z.literal('uuid') }),
  z.strictObject({ kind: z.literal('sequence'), start: z.number().int().optional() }),
  z.strictObject({ kind: z.literal('int'), min: z.number().int(), max: z.number().int() }),
  z.strictObject({ kind: z.literal('decimal'), min: z.number(), max: z.number(), digits: z.number().int().min(0).max(6).optional() }),
  z.strictObject({ kind: z.literal('pick'), from: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1) }),
  z.strictObject({ kind: z.literal('time'), offsetMinutes: z.number().optional() }),
]);

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const method = z.enum(METHODS);
const headers = z.record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name'), z.string());
/** A JSON value whose strings may hold `${name}` templates. */
export type JsonTemplate = string | number | boolean | null | JsonTemplate[] | { [key: string]: JsonTemplate };
const jsonTemplate: z.ZodType<JsonTemplate> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonTemplate), z.record(z.string(), jsonTemplate)]));
const form = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
/** `.ts` scenarios only: `(rnd, ctx) => object` builds the body (a string is sent as is). */
const bodyFunction = z.custom<BodyFunction>((v) => typeof v === 'function', 'must be a JSON value or a function (rnd, ctx) => object');

export const callSpecSchema = z.strictObject({
  method,
  /** Path (and query) template, e.g. "/v2/tenants/${tenant}/products". */
  path: z.string().startsWith('/', 'must start with "/"'),
  weight: z.number().finite().min(0),
  headers: headers.optional(),
  /** JSON body: a template value, or a function in .ts scenarios. */
  body: z.union([bodyFunction, jsonTemplate]).optional(),
  /** Form fields, sent as application/x-www-form-urlencoded (instead of body). */
  form: form.optional(),
  vars: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an identifier'), generatorSchema).optional(),
  expect: callExpectSchema.optional(),
  description: z.string().optional(),
});

export const setupSpecSchema = z.strictObject({
  method,
  path: z.string().startsWith('/', 'must start with "/"'),
  headers: headers.optional(),
  body: jsonTemplate.optional(),
  form: form.optional(),
});

export const callsSpecSchema = z.record(callName, callSpecSchema);

/** A call as written; `body` is a JSON template or, in .ts scenarios, a function (typed here so editors help). */
export type CallSpec = Omit<z.input<typeof callSpecSchema>, 'body'> & { body?: JsonTemplate | BodyFunction };
export type SetupSpec = z.input<typeof setupSpecSchema>;
export type GeneratorSpec = z.output<typeof generatorSchema>;
export type CallExpectSpec = z.input<typeof callExpectSchema>;

/** What a body function is given besides its seeded `rnd`. */
export interface CallContext {
  seq: number;
  requestId: string;
  storeId: string;
  itemId: string;
  /** The call's vars, drawn for this arrival. */
  vars: Record<string, unknown>;
  /** The setup response (parsed JSON), or {} without a setup request. */
  setup: Record<string, unknown>;
  /** ISO time of this arrival on the scenario clock. */
  now: string;
}

export type BodyFunction = (rnd: () => number, ctx: CallContext) => unknown;

export const ALLOWED_CALL_KEYS = Object.keys(callSpecSchema.shape);
export const ALLOWED_SETUP_KEYS = Object.keys(setupSpecSchema.shape);
