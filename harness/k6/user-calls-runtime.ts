// The k6 script's code for a scenario's own calls: the calls as data (same templates, weights, vars and
// expected statuses), and a port of scenarios/calls/user-call.ts that draws in the same order from the
// same per-arrival stream, so call "seq" of a k6 run sends what rushgate would send for it (the clock
// aside: `now` and time vars read k6's wall clock). Each request is tagged with its call's name, so k6
// keeps one metric series per call instead of one per distinct URL.
import type { CallDef } from '../../scenarios/calls/call-def.ts';
import type { SetupSpec } from '../../scenarios/calls/call-schema.ts';

export interface K6CallData {
  name: string;
  method: string;
  path: string;
  weight: number;
  headers: Record<string, string>;
  body?: unknown;
  form?: Record<string, string | number | boolean>;
  vars: Array<[string, Record<string, unknown>]>;
  /** Statuses besides 2xx that k6 should not count as failed (accepted and refused by design). */
  expected: number[];
  /** The scenario gave a body function: k6 cannot run it, the source is shown in a comment instead. */
  bodyFunction?: string;
}

export function k6CallData(calls: readonly CallDef[]): K6CallData[] {
  return calls.map((c) => {
    const spec = c.spec;
    const fn = typeof spec?.body === 'function' ? String(spec.body) : undefined;
    return {
      name: c.name,
      method: c.method,
      path: c.path,
      weight: c.weight,
      headers: spec?.headers ?? {},
      ...(spec?.body !== undefined && !fn ? { body: spec.body } : {}),
      ...(spec?.form ? { form: spec.form } : {}),
      vars: Object.entries(spec?.vars ?? {}) as Array<[string, Record<string, unknown>]>,
      expected: [...new Set([...c.expect.accepted, ...c.expect.refused])],
      ...(fn ? { bodyFunction: fn } : {}),
    };
  });
}

export function userCallsPreamble(calls: readonly CallDef[], requestIdHeader: string | null, setup: SetupSpec | undefined, catalog: object): string[] {
  const data = k6CallData(calls);
  const fns = data.filter((d) => d.bodyFunction);
  return [
    ...fns.flatMap((d) => [
      `// Call "${d.name}" builds its body with a function, which k6 cannot run from here; it sends no body. Its source:`,
      ...String(d.bodyFunction).split('\n').map((l) => `//   ${l}`),
    ]),
    'interface Gen { kind: string; min?: number; max?: number; digits?: number; start?: number; from?: Array<string | number | boolean>; offsetMinutes?: number }',
    'interface CallData { name: string; method: string; path: string; weight: number; headers: Record<string, string>; body?: unknown; form?: Record<string, string | number | boolean>; vars: Array<[string, Gen]>; expected: number[] }',
    `const CALLS: CallData[] = ${JSON.stringify(data.map(({ bodyFunction: _f, ...d }) => d), null, 2)};`,
    `const REQUEST_ID_HEADER: string | null = ${JSON.stringify(requestIdHeader)};`,
    `const SETUP: { method: string; path: string; headers?: Record<string, string>; body?: unknown; form?: Record<string, string | number | boolean> } | null = ${JSON.stringify(setup ?? null)};`,
    `const CATALOG = ${JSON.stringify(catalog)};`,
  ];
}

/** The per-arrival streams of scenarios/payloads.ts, for both k6 runtimes. */
export const K6_PRNG = String.raw`function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x01000193);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
  }
  return h >>> 0;
}

`;

export const USER_CALLS_RUNTIME = String.raw`const int = (rnd: () => number, min: number, max: number): number => min + Math.floor(rnd() * (max - min + 1));
const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const storeId = (rnd: () => number): string => 'store-' + pad(int(rnd, 0, CATALOG.stores - 1), 5);
const itemId = (rnd: () => number): string => 'sku-' + pad(int(rnd, 0, CATALOG.itemsPerStore - 1), 8);

function pickCall(u: number): CallData {
  const total = CALLS.reduce((sum, c) => sum + Math.max(0, c.weight), 0);
  let x = u * total;
  let last = CALLS[0] as CallData;
  for (const c of CALLS) {
    if (c.weight <= 0) continue;
    if (x < c.weight) return c;
    x -= c.weight;
    last = c;
  }
  return last;
}

function uuid(rnd: () => number): string {
  let hex = '';
  for (let i = 0; i < 4; i++) hex += Math.floor(rnd() * 2 ** 32).toString(16).padStart(8, '0');
  return hex.slice(0, 8) + '-' + hex.slice(8, 12) + '-4' + hex.slice(13, 16) + '-' + ((parseInt(hex.charAt(16), 16) & 3) | 8).toString(16) + hex.slice(17, 20) + '-' + hex.slice(20, 32);
}

function draw(gen: Gen, rnd: () => number, seq: number): unknown {
  switch (gen.kind) {
    case 'store': return storeId(rnd);
    case 'item': return itemId(rnd);
    case 'uuid': return uuid(rnd);
    case 'sequence': return seq + (gen.start ?? 0);
    case 'int': return int(rnd, gen.min ?? 0, gen.max ?? 0);
    case 'decimal': {
      const f = 10 ** (gen.digits ?? 2);
      return Math.round(((gen.min ?? 0) + rnd() * ((gen.max ?? 0) - (gen.min ?? 0))) * f) / f;
    }
    case 'pick': {
      const from = gen.from ?? [];
      return from[Math.floor(rnd() * from.length)];
    }
    case 'time': return new Date(Date.now() + (gen.offsetMinutes ?? 0) * 60000).toISOString();
    default: return undefined;
  }
}

const REF = /\$\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}/g;
const WHOLE = /^\$\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}$/;
type Resolve = (name: string) => unknown;
const asText = (v: unknown): string => (typeof v === 'string' ? v : v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

function text(t: string, resolve: Resolve, encode: (s: string) => string = (s) => s): string {
  return t.replace(REF, (_m: string, name: string) => encode(asText(resolve(name))));
}

function value(v: unknown, resolve: Resolve): unknown {
  if (typeof v === 'string') {
    const whole = WHOLE.exec(v);
    return whole ? resolve(whole[1] ?? '') : text(v, resolve);
  }
  if (Array.isArray(v)) return v.map((x) => value(x, resolve));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) out[k] = value((v as Record<string, unknown>)[k], resolve);
    return out;
  }
  return v;
}

function lookup(root: unknown, path: string): unknown {
  let v: unknown = root;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function formBody(form: Record<string, string | number | boolean>, resolve: Resolve): string {
  return Object.keys(form)
    .map((k) => {
      const f = form[k];
      return encodeURIComponent(k) + '=' + encodeURIComponent(typeof f === 'string' ? text(f, resolve) : String(f));
    })
    .join('&');
}

const envOf: Resolve = (name) => (name.indexOf('env.') === 0 ? __ENV[name.slice(4)] : undefined);

export function setup(): Record<string, unknown> {
  if (!SETUP) return {};
  const headers: Record<string, string> = {};
  for (const h of Object.keys(SETUP.headers ?? {})) headers[h] = text((SETUP.headers ?? {})[h] ?? '', envOf);
  let body: string | null = null;
  if (SETUP.form) {
    body = formBody(SETUP.form, envOf);
    headers['content-type'] = headers['content-type'] ?? 'application/x-www-form-urlencoded';
  } else if (SETUP.body !== undefined) {
    body = JSON.stringify(value(SETUP.body, envOf));
    headers['content-type'] = headers['content-type'] ?? 'application/json';
  }
  const res = http.request(SETUP.method, TARGET_URL + text(SETUP.path, envOf, encodeURIComponent), body, { headers, tags: { name: 'setup' } });
  if (res.status < 200 || res.status >= 300) throw new Error('setup request ' + SETUP.method + ' ' + SETUP.path + ' answered ' + res.status);
  return (res.json() ?? {}) as Record<string, unknown>;
}

export default function (data: Record<string, unknown>): void {
  const seq = exec.scenario.iterationInTest;
  const rnd = mulberry32(hashSeed(SEED, seq));
  const call = pickCall(rnd());
  const requestId = RUN_ID + '-' + seq;
  const ids: Record<string, unknown> = { storeId: storeId(rnd), itemId: itemId(rnd) };
  const vars: Record<string, unknown> = {};
  for (const [name, gen] of call.vars) vars[name] = draw(gen, rnd, seq);
  let id: string | undefined;
  const resolve: Resolve = (name) => {
    if (name in vars) return vars[name];
    if (name === 'requestId') return requestId;
    if (name === 'seq') return seq;
    if (name === 'storeId' || name === 'itemId') return ids[name];
    if (name === 'uuid') return (id = id ?? uuid(mulberry32(hashSeed(SEED, seq, 0x75))));
    if (name === 'now') return new Date().toISOString();
    if (name.indexOf('setup.') === 0) return lookup(data, name.slice(6));
    return envOf(name);
  };
  const headers: Record<string, string> = {};
  let body: string | null = null;
  const hasType = Object.keys(call.headers).some((h) => h.toLowerCase() === 'content-type');
  if (call.form) {
    body = formBody(call.form, resolve);
    if (!hasType) headers['content-type'] = 'application/x-www-form-urlencoded';
  } else if (call.body !== undefined) {
    const v = value(call.body, resolve);
    body = typeof v === 'string' ? v : JSON.stringify(v);
    if (!hasType) headers['content-type'] = 'application/json';
  }
  for (const h of Object.keys(call.headers)) headers[h] = text(call.headers[h] ?? '', resolve);
  if (REQUEST_ID_HEADER) headers[REQUEST_ID_HEADER] = requestId;
  const res = http.request(call.method, TARGET_URL + text(call.path, resolve, encodeURIComponent), body, {
    headers,
    tags: { name: call.name },
    responseCallback: http.expectedStatuses({ min: 200, max: 299 }, ...call.expected),
  });
  check(res, { 'accepted or refused by design': (r) => (r.status >= 200 && r.status < 300) || call.expected.indexOf(r.status) >= 0 });
}
`;
