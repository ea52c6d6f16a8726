// Builds a user call from its templates. Draws come from the arrival's stream in a fixed order (store,
// item, then each var as declared), so the same seed gives the same requests whatever the templates use;
// a body function gets the stream after those draws.
import type { CallExpect } from '../../harness/load/call-tally.ts';
import { hashSeed, itemIdFor, mulberry32, storeIdFor } from '../payloads.ts';
import type { BodyFunction, CallSpec, GeneratorSpec } from './call-schema.ts';
import type { BuildContext, BuiltRequest, CallDef } from './call-def.ts';
import { lookupPath, renderText, renderValue, type Resolve } from './template.ts';

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

export function userCall(name: string, spec: CallSpec, expect: CallExpect, requestIdHeader: string | null): CallDef {
  const vars = Object.entries(spec.vars ?? {});
  const headers = spec.headers ?? {};
  const hasContentType = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
  const body = spec.body;
  const bodyFn = typeof body === 'function' ? (body as BodyFunction) : undefined;
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
      const drawn: Record<string, unknown> = {};
      for (const [k, gen] of vars) drawn[k] = drawVar(gen, rnd, ctx);
      let uuid: string | undefined;
      const resolve: Resolve = (ref) => {
        if (ref in drawn) return drawn[ref];
        switch (ref) {
          case 'requestId':
            return ctx.requestId;
          case 'seq':
            return ctx.seq;
          case 'storeId':
            return storeId;
          case 'itemId':
            return itemId;
          case 'uuid':
            return (uuid ??= seededUuid(mulberry32(hashSeed(ctx.seed, ctx.seq, 0x75))));
          case 'now':
            return ctx.now();
        }
        if (ref.startsWith('env.')) return ctx.env[ref.slice(4)];
        if (ref.startsWith('setup.')) return lookupPath(ctx.setup, ref.slice(6));
        return undefined;
      };
      const out: Record<string, string> = {};
      let payload: string | Buffer = '';
      if (spec.form) {
        const params = new URLSearchParams();
        for (const [k, v] of Object.entries(spec.form)) params.append(k, typeof v === 'string' ? renderText(v, resolve) : String(v));
        payload = params.toString();
        if (!hasContentType) out['content-type'] = 'application/x-www-form-urlencoded';
      } else if (body !== undefined) {
        const value = bodyFn
          ? bodyFn(rnd, { seq: ctx.seq, requestId: ctx.requestId, storeId, itemId, vars: drawn, setup: ctx.setup, now: ctx.now() })
          : renderValue(body, resolve);
        payload = typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value);
        if (!hasContentType) out['content-type'] = 'application/json';
      }
      for (const [h, v] of Object.entries(headers)) out[h] = renderText(v, resolve);
      if (requestIdHeader) out[requestIdHeader] = ctx.requestId;
      return { path: renderText(spec.path, resolve, encodeURIComponent), headers: out, body: payload };
    },
  };
}
