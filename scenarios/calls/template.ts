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

const asText = (v: unknown): string => (typeof v === 'string' ? v : v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

export function renderText(text: string, resolve: Resolve, encode: (s: string) => string = (s) => s): string {
  if (!text.includes('${')) return text;
  return text.replace(REF, (_m, name: string) => encode(asText(resolve(name))));
}

/** A JSON template with its references filled in. */
export function renderValue(value: unknown, resolve: Resolve): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    return whole ? resolve(whole[1] as string) : renderText(value, resolve);
  }
  if (Array.isArray(value)) return value.map((v) => renderValue(v, resolve));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderValue(v, resolve);
    return out;
  }
  return value;
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
