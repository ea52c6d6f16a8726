// Builds a user call from its templates. Draws come from the arrival's stream in a fixed order (store,
// item, then each var as declared), so the same seed gives the same requests whatever the templates use;
// a body function gets the stream after those draws.
import type { CallExpect } from '../../harness/load/call-tally.ts';
import { hashSeed, itemIdFor, mulberry32, storeIdFor } from '../payloads.ts';
import type { BodyFunction, CallSpec, GeneratorSpec } from './call-schema.ts';
import type { BuildContext, BuiltRequest, CallDef } from './call-def.ts';
import { compileText, compileValue, lookupPath, type Value } from './template.ts';

const int = (rnd: () => number, min: number, max: number): number => min + Math.floor(rnd() * (max - min + 1));

/** A v4-shaped UUID from a seeded stream (not for anything secret). */
export function seededUuid(rnd: () => number): string {
  let hex = '';
  for (let i = 0; i < 4; i++) hex += Math.floor(rnd() * 2 ** 32).toString(16).padStart(8, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16] as string, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function drawVar(gen: GeneratorSpec, rnd: () => number, ctx: BuildContext): unknown {
  switch (gen.kind) {
    case 'store':
      return storeIdFor(int(rnd, 0, ctx.catalog.stores - 1));
    case 'item':
      return itemIdFor(int(rnd, 0, ctx.catalog.itemsPerStore - 1));
    case 'uuid':
      return seededUuid(rnd);
    case 'sequence':
      return ctx.seq + (gen.start ?? 0);
    case 'int':
      return int(rnd, gen.min, gen.max);
    case 'decimal': {
      const f = 10 ** (gen.digits ?? 2);
      return Math.round((gen.min + rnd() * (gen.max - gen.min)) * f) / f;
    }
    case 'pick':
      return gen.from[Math.floor(rnd() * gen.from.length)];
    case 'time': {
      const t = Date.parse(ctx.now()) + (gen.offsetMinutes ?? 0) * 60_000;
      return new Date(t).toISOString();
    }
  }
}

const URL_SAFE_BUILT_INS: ReadonlySet<string> = new Set(['requestId', 'seq', 'storeId', 'itemId', 'uuid']);
/** The drawn vars of a call that declares none and has no body function: nothing reads or writes them. */
const NO_VARS: Record<string, unknown> = Object.freeze({});

export function userCall(name: string, spec: CallSpec, expect: CallExpect, requestIdHeader: string | null): CallDef {
  const vars = Object.entries(spec.vars ?? {});
  const headers = spec.headers ?? {};
  const hasContentType = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
  const body = spec.body;
  const bodyFn = typeof body === 'function' ? (body as BodyFunction) : undefined;

  // The arrival being built: what the compiled templates read. Building is synchronous, so one per call.
  const arrival = { storeId: '', itemId: '', drawn: {} as Record<string, unknown>, uuid: undefined as string | undefined, ctx: undefined as unknown as BuildContext };
  const varNames = new Set(vars.map(([k]) => k));
  // A var shadows a built-in of the same name.
  const valueOf = (ref: string): Value => {
    if (varNames.has(ref)) return () => arrival.drawn[ref];
    switch (ref) {
      case 'requestId':
        return () => arrival.ctx.requestId;
      case 'seq':
        return () => arrival.ctx.seq;
      case 'storeId':
        return () => arrival.storeId;
      case 'itemId':
        return () => arrival.itemId;
      case 'uuid':
        return () => (arrival.uuid ??= seededUuid(mulberry32(hashSeed(arrival.ctx.seed, arrival.ctx.seq, 0x75))));
      case 'now':
        return () => arrival.ctx.now();
    }
    if (ref.startsWith('env.')) {
      const key = ref.slice(4);
      return () => arrival.ctx.env[key];
    }
    if (ref.startsWith('setup.')) {
      const path = ref.slice(6);
      return () => lookupPath(arrival.ctx.setup, path);
    }
    return () => undefined;
  };
  // Built-in ids are URL-safe as made (letters, digits, "-", "." and "_"; the run id is checked for it): a path
  // encodes only the vars and values that come from outside.
  const path = compileText(spec.path, valueOf, encodeURIComponent, (ref) => varNames.has(ref) || !URL_SAFE_BUILT_INS.has(ref));
  const headerValues = Object.entries(headers).map(([h, v]): [string, () => string] => [h, compileText(v, valueOf)]);
  const formValues = spec.form && Object.entries(spec.form).map(([k, v]): [string, () => string] => [k, typeof v === 'string' ? compileText(v, valueOf) : () => String(v)]);
  const bodyValue = body !== undefined && !bodyFn ? compileValue(body, valueOf) : undefined;

  return {
    name,
    method: spec.method,
    path: spec.path,
    weight: spec.weight,
    expect,
    spec,
    build(rnd, ctx): BuiltRequest {
      const storeId = storeIdFor(int(rnd, 0, ctx.catalog.stores - 1));
      const itemId = itemIdFor(int(rnd, 0, ctx.catalog.itemsPerStore - 1));
      const drawn: Record<string, unknown> = vars.length === 0 && !bodyFn ? NO_VARS : {};
      for (const [k, gen] of vars) drawn[k] = drawVar(gen, rnd, ctx);
      arrival.storeId = storeId;
      arrival.itemId = itemId;
      arrival.drawn = drawn;
      arrival.uuid = undefined;
      arrival.ctx = ctx;
      const out: Record<string, string> = {};
      let payload: string | Buffer = '';
      if (formValues) {
        const params = new URLSearchParams();
        for (const [k, v] of formValues) params.append(k, v());
        payload = params.toString();
        if (!hasContentType) out['content-type'] = 'application/x-www-form-urlencoded';
      } else if (body !== undefined) {
        const value = bodyFn
          ? bodyFn(rnd, { seq: ctx.seq, requestId: ctx.requestId, storeId, itemId, vars: drawn, setup: ctx.setup, now: ctx.now() })
          : (bodyValue as () => unknown)();
        payload = typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value);
        if (!hasContentType) out['content-type'] = 'application/json';
      }
      for (const [h, v] of headerValues) out[h] = v();
      if (requestIdHeader) out[requestIdHeader] = ctx.requestId;
      return { path: path(), headers: out, body: payload };
    },
  };
}
