// `${name}` templates in call paths, headers, bodies and form fields. A body string that is exactly one
// `${name}` takes the value as it is (a number stays a number); anywhere else the value is written as text.
// Names: the built-ins below, a call's vars, `env.NAME` (read once at run start) and `setup.path.to.value`.

export const BUILT_IN_NAMES = ['requestId', 'seq', 'storeId', 'itemId', 'uuid', 'now'] as const;

const REF = /\$\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}/g;
const WHOLE = /^\$\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}$/;

/** Every name a template string refers to. */
export function refsIn(text: string): string[] {
  return [...text.matchAll(REF)].map((m) => m[1] as string);
}

/** Every name referenced anywhere inside a JSON template value. */
export function refsInValue(value: unknown): string[] {
  if (typeof value === 'string') return refsIn(value);
  if (Array.isArray(value)) return value.flatMap(refsInValue);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(refsInValue);
  return [];
}

export type Resolve = (name: string) => unknown;
/** One reference's value, read when a compiled template is filled in. */
export type Value = () => unknown;

const asText = (v: unknown): string => (typeof v === 'string' ? v : v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/**
 * A text template compiled once: its literal parts and the value of each reference (`valueOf(name)`,
 * asked once per reference here), so filling it in for an arrival is a few concatenations. Parsing the
 * template with a regex and resolving each name by a string switch per arrival cost ~2 us of the
 * driver's ~30 us per request flat out. `encode` applies to each value unless `encodes(name)` says the
 * name's values never need it (encodeURIComponent is a call into the runtime, not inlined JavaScript).
 * Templates of one or two references, nearly every path, get closures without the loop.
 */
export function compileText(text: string, valueOf: (name: string) => Value, encode?: (s: string) => string, encodes: (name: string) => boolean = () => true): () => string {
  const literals: string[] = [];
  const values: Array<() => string> = [];
  let end = 0;
  for (const m of text.matchAll(REF)) {
    literals.push(text.slice(end, m.index));
    const name = m[1] as string;
    const value = valueOf(name);
    const enc = encode && encodes(name) ? encode : undefined;
    values.push(enc ? () => enc(textOf(value())) : () => textOf(value()));
    end = (m.index as number) + m[0].length;
  }
  if (values.length === 0) return () => text;
  literals.push(text.slice(end));
  const [l0, l1, l2] = literals as [string, string, string];
  const [v0, v1] = values as [() => string, () => string];
  if (values.length === 1) return () => l0 + v0() + l1;
  if (values.length === 2) return () => l0 + v0() + l1 + v1() + l2;
  return () => {
    let out = l0;
    for (let i = 0; i < values.length; i++) out += (values[i] as () => string)() + (literals[i + 1] as string);
    return out;
  };
}

const textOf = (v: unknown): string => (typeof v === 'string' ? v : asText(v));

/** A JSON template compiled once (see compileText): a string that is exactly one `${name}` gives the value as it is. */
export function compileValue(value: unknown, valueOf: (name: string) => Value): () => unknown {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    return whole ? valueOf(whole[1] as string) : compileText(value, valueOf);
  }
  if (Array.isArray(value)) {
    const items = value.map((v) => compileValue(v, valueOf));
    return () => items.map((item) => item());
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]): [string, () => unknown] => [k, compileValue(v, valueOf)]);
    return () => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of entries) out[k] = v();
      return out;
    };
  }
  return () => value;
}

const byName = (resolve: Resolve) => (name: string): Value => () => resolve(name);

export function renderText(text: string, resolve: Resolve, encode?: (s: string) => string): string {
  return compileText(text, byName(resolve), encode)();
}

/** A JSON template with its references filled in. */
export function renderValue(value: unknown, resolve: Resolve): unknown {
  return compileValue(value, byName(resolve))();
}

/** `setup.a.b` inside the setup response. */
export function lookupPath(root: unknown, path: string): unknown {
  let v: unknown = root;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}
