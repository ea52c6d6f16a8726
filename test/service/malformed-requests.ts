// A seeded generator of malformed calls to the reference service: each is a real scenario call with
// exactly one thing broken, so whatever the service answers is attributable to that one fault.
// Same seed, same 10,000 requests.
import { makeCall, mulberry32, type PayloadSource } from '../../scenarios/payloads.ts';

export type MalformedClass =
  | 'broken-json'
  | 'wrong-type'
  | 'missing-field'
  | 'deep-nesting'
  | 'oversize'
  | 'content-type'
  | 'bad-path-id'
  | 'wrong-method'
  | 'bad-request-id'
  | 'unknown-path';

export interface MalformedRequest {
  seq: number;
  cls: MalformedClass;
  /** What exactly was broken, for failure messages. */
  detail: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  /** A body, or a large one to build at send time (never kept for all 10,000). */
  body?: string | Buffer | { bytes: number; chunked: boolean };
  /** Acceptable answers: status -> error codes. */
  expect: Record<number, string[]>;
}

const SOURCE: PayloadSource = {
  seed: 5150,
  mix: { 'item-put': { weight: 50 }, 'items-batch': { weight: 25, items: { min: 1, max: 20 } }, matchings: { weight: 25, pairs: { min: 1, max: 20 } } },
  catalog: { stores: 50, itemsPerStore: 10_000 },
};

const QUOTAS: Array<[MalformedClass, number]> = [
  ['broken-json', 1800],
  ['wrong-type', 2270],
  ['missing-field', 1400],
  ['deep-nesting', 400],
  ['oversize', 30], // 6 of them 10 MB; bounded so the test stays quick on two shared cores
  ['content-type', 1000],
  ['bad-path-id', 1400],
  ['wrong-method', 900],
  ['bad-request-id', 500],
  ['unknown-path', 300],
];
export const MALFORMED_TOTAL = QUOTAS.reduce((n, [, q]) => n + q, 0);

const JSON_TYPE = 'application/json';
const BAD_JSON = { 400: ['invalid_json'] };
const BAD_BODY = { 400: ['invalid_body'] };

type Rnd = () => number;
const pick = <T>(rnd: Rnd, list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
const int = (rnd: Rnd, min: number, max: number) => min + Math.floor(rnd() * (max - min + 1));

export function generateMalformedRequests(seed: number, runId: string): MalformedRequest[] {
  const rnd = mulberry32(seed);
  const classes: MalformedClass[] = [];
  for (const [cls, n] of QUOTAS) for (let i = 0; i < n; i++) classes.push(cls);
  // Fisher-Yates, so the big bodies and the cheap ones interleave.
  for (let i = classes.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [classes[i], classes[j]] = [classes[j] as MalformedClass, classes[i] as MalformedClass];
  }
  let bigOnes = 0;
  return classes.map((cls, seq) => {
    const call = makeCall(SOURCE, seq, runId);
    const base: MalformedRequest = {
      seq,
      cls,
      detail: '',
      method: call.method,
      path: call.path,
      headers: { 'content-type': JSON_TYPE, 'x-request-id': call.requestId },
      body: call.body,
      expect: BAD_BODY,
    };
    const body = JSON.parse(call.body) as unknown;
    switch (cls) {
      case 'broken-json':
        return brokenJson(base, call.body, rnd);
      case 'wrong-type':
        return { ...base, ...wrongType(call.name, body, rnd) };
      case 'missing-field':
        return { ...base, ...missingField(call.name, body, rnd) };
      case 'deep-nesting':
        return deepNesting(base, call.name, body, rnd);
      case 'oversize': {
        const ten = bigOnes++ < 6;
        const bytes = ten ? 10 * 1024 * 1024 : int(rnd, 1_100_000, 3_000_000);
        const chunked = rnd() < 0.5;
        return { ...base, detail: `${bytes} bytes${chunked ? ', chunked' : ''}`, body: { bytes, chunked }, expect: { 413: ['payload_too_large'] } };
      }
      case 'content-type':
        return contentType(base, rnd);
      case 'bad-path-id':
        return badPathId(base, call.name, rnd);
      case 'wrong-method':
        return wrongMethod(base, call.name, rnd);
      case 'bad-request-id': {
        const id = pick(rnd, ['has space', 'x'.repeat(129), '', 'tab\there', 'caf\u00e9-1', `${call.requestId}, ${call.requestId}`]);
        return { ...base, detail: JSON.stringify(id), headers: { ...base.headers, 'x-request-id': id }, expect: { 400: ['invalid_header'] } };
      }
      case 'unknown-path': {
        const path = pick(rnd, ['/', '/api', '/api/v1/stores', '/api/v2/stores/store-1/items', `${call.path}/extra/more`, '/API/V1/STORES/S/ITEMS', '/api/v1/stores/store-1/prices']);
        return { ...base, detail: path, path, expect: { 404: ['not_found'] } };
      }
    }
  });
}

function brokenJson(base: MalformedRequest, text: string, rnd: Rnd): MalformedRequest {
  const ways: Array<[string, () => string | Buffer]> = [
    ['truncated', () => text.slice(0, int(rnd, 0, text.length - 1))],
    ['trailing garbage', () => text + pick(rnd, [',', '}', ']', 'x', '{}', ' true', '\u0000'])],
    ['trailing comma', () => `${text.slice(0, -1)},${text.slice(-1)}`],
    ['single quotes', () => text.replaceAll('"', "'")],
    ['unquoted key', () => text.replace(/"(\w+)":/, '$1:')],
    ['raw control character in a string', () => text.replace('"', '"\u0001')],
    ['NaN literal', () => (/:-?\d/.test(text) ? text.replace(/:(-?\d+(\.\d+)?)/, ':NaN') : `${text}NaN`)],
    ['invalid UTF-8 before the document', () => Buffer.concat([Buffer.from([0xff, 0xfe, 0xfd]), Buffer.from(text)])],
    ['byte order mark', () => `\ufeff${text}`],
    ['comment', () => `/* rushgate */${text}`],
    ['two documents', () => `${text}\n${text}`],
  ];
  const [detail, make] = pick(rnd, ways);
  // Bytes that are not UTF-8 are refused before any JSON parsing, with their own error.
  const expect = detail.startsWith('invalid UTF-8') ? { 400: ['invalid_encoding'] } : BAD_JSON;
  return { ...base, detail, body: make(), expect };
}

const ITEM_BAD_VALUES: Record<string, unknown[]> = {
  id: [123, null, true, '', 'has space', '-lead', 'x'.repeat(65), ['a'], {}],
  name: [42, null, false, '', '   ', 'x'.repeat(201), ['n'], {}],
  price: ['1.19', null, true, -1, -0.01, 1e10, [], {}, ''],
  currency: [978, 'eur', 'EURO', 'XYZ', '', null, ['EUR']],
  ean: [4006381333931, '12ab', '123', '', '1'.repeat(15)],
  stock: [1.5, -1, '3', null],
  labelIds: ['lbl-1', [1, 2], ['bad id'], Array.from({ length: 101 }, (_, i) => `l${i}`)],
  description: [5, 'x'.repeat(2001)],
  promoPrice: [-1, '1'],
  updatedAt: ['yesterday', '2024-13-01T00:00:00Z', 1_700_000_000],
};
const MATCHING_BAD_VALUES: Record<string, unknown[]> = {
  labelId: [7, null, '', 'bad id', 'x'.repeat(65), {}, ['l']],
  itemId: [7, null, '', 'sku/1', 'x'.repeat(65), {}, true],
};

function wrongType(kind: string, body: unknown, rnd: Rnd): Partial<MalformedRequest> {
  const roll = rnd();
  if (roll < 0.1) {
    // The document itself has the wrong shape.
    const replacement = kind === 'item-put' ? pick(rnd, [[], 5, '"item"', null, true]) : pick(rnd, [{}, 5, 'items', null, false]);
    return { detail: `body is ${JSON.stringify(replacement)}`, body: JSON.stringify(replacement) };
  }
  if (kind !== 'item-put' && roll < 0.15) {
    const size = pick(rnd, [0, 1001]);
    const element = kind === 'matchings' ? { labelId: 'l1', itemId: 'i1' } : (body as unknown[])[0];
    return { detail: `batch of ${size}`, body: JSON.stringify(Array.from({ length: size }, () => element)) };
  }
  if (kind === 'item-put') {
    const item = body as Record<string, unknown>;
    // The id is also in the path: a wrong id in the body alone is covered by the other fields.
    const field = pick(rnd, Object.keys(ITEM_BAD_VALUES).filter((f) => f !== 'id'));
    const value = pick(rnd, ITEM_BAD_VALUES[field] as unknown[]);
    return { detail: `${field} = ${short(value)}`, body: JSON.stringify({ ...item, [field]: value }) };
  }
  const list = body as Array<Record<string, unknown>>;
  const at = int(rnd, 0, list.length - 1);
  const table = kind === 'matchings' ? MATCHING_BAD_VALUES : ITEM_BAD_VALUES;
  if (rnd() < 0.1) {
    const element = pick(rnd, ['x', null, [], 3]);
    list[at] = element as never;
    return { detail: `[${at}] = ${short(element)}`, body: JSON.stringify(list) };
  }
  const field = pick(rnd, Object.keys(table));
  const value = pick(rnd, table[field] as unknown[]);
  list[at] = { ...list[at], [field]: value };
  return { detail: `[${at}].${field} = ${short(value)}`, body: JSON.stringify(list) };
}

function missingField(kind: string, body: unknown, rnd: Rnd): Partial<MalformedRequest> {
  const required = kind === 'matchings' ? ['labelId', 'itemId'] : ['id', 'name', 'price', 'currency'];
  const strip = (obj: Record<string, unknown>) => {
    const gone = required.filter(() => rnd() < 0.4);
    if (gone.length === 0) gone.push(pick(rnd, required));
    const copy = { ...obj };
    for (const f of gone) delete copy[f];
    return { copy, gone };
  };
  if (kind === 'item-put') {
    const { copy, gone } = strip(body as Record<string, unknown>);
    return { detail: `without ${gone.join(', ')}`, body: JSON.stringify(copy) };
  }
  const list = body as Array<Record<string, unknown>>;
  const at = int(rnd, 0, list.length - 1);
  const { copy, gone } = strip(list[at] as Record<string, unknown>);
  list[at] = copy;
  return { detail: `[${at}] without ${gone.join(', ')}`, body: JSON.stringify(list) };
}

function deepNesting(base: MalformedRequest, kind: string, body: unknown, rnd: Rnd): MalformedRequest {
  // JSON.parse needs ~200 ms for 100,000 levels (vs ~2 ms for a flat document of the same size), so
  // the deepest ones are few: enough to show the cost, not so many that the test measures the CPU.
  const depth = rnd() < 0.05 ? 100_000 : pick(rnd, [10, 100, 1_000, 5_000, 20_000]);
  const arrays = '['.repeat(depth) + ']'.repeat(depth);
  const objects = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  const way = int(rnd, 0, 3);
  if (way === 0) return { ...base, detail: `${depth} nested arrays as the body`, body: arrays, expect: BAD_BODY };
  if (way === 1) return { ...base, detail: `${depth} nested objects as the body`, body: objects, expect: BAD_BODY };
  if (way === 2) return { ...base, detail: `${depth} unclosed arrays`, body: '['.repeat(depth), expect: BAD_JSON };
  // Deep nesting where a known field belongs, so the document is otherwise a real call.
  if (kind === 'item-put') {
    const text = JSON.stringify({ ...(body as object), name: '__DEEP__' }).replace('"__DEEP__"', arrays);
    return { ...base, detail: `name = ${depth} nested arrays`, body: text, expect: BAD_BODY };
  }
  const text = JSON.stringify(['__DEEP__', ...(body as unknown[])]).replace('"__DEEP__"', objects);
  return { ...base, detail: `[0] = ${depth} nested objects`, body: text, expect: BAD_BODY };
}

function contentType(base: MalformedRequest, rnd: Rnd): MalformedRequest {
  const variants: Array<Record<string, string | undefined>> = [
    { 'content-type': 'text/plain' },
    { 'content-type': 'application/xml' },
    { 'content-type': 'application/x-www-form-urlencoded' },
    { 'content-type': 'multipart/form-data; boundary=rushgate' },
    { 'content-type': 'application/jsonp' },
    { 'content-type': 'json' },
    { 'content-type': 'application/json-seq' },
    { 'content-type': undefined },
    { 'content-type': JSON_TYPE, 'content-encoding': 'gzip' },
    { 'content-type': JSON_TYPE, 'content-encoding': 'br' },
    { 'content-type': JSON_TYPE, 'content-encoding': 'deflate' },
  ];
  const variant = pick(rnd, variants);
  const headers: Record<string, string> = { 'x-request-id': base.headers['x-request-id'] as string };
  for (const [k, v] of Object.entries(variant)) if (v !== undefined) headers[k] = v;
  // A Buffer body keeps fetch from adding its own text/plain default when the header is absent.
  return { ...base, detail: JSON.stringify(variant), headers, body: Buffer.from(base.body as string), expect: { 415: ['unsupported_media_type'] } };
}

function badPathId(base: MalformedRequest, kind: string, rnd: Rnd): MalformedRequest {
  const bad = pick(rnd, ['store%201', '%E0%A4%A', 'a'.repeat(65), '-store', '.hidden', '%00', '%2Fetc', 'st%C3%B6re', '%ZZ', 'a%20', '', '..', '%2e%2e', 'x%0Ay']);
  const parts = base.path.split('/'); // ['', 'api', 'v1', 'stores', storeId, 'items', itemId?]
  const slot = kind === 'item-put' && rnd() < 0.5 ? 6 : 4;
  parts[slot] = bad;
  return { ...base, detail: `${slot === 4 ? 'storeId' : 'itemId'} = ${JSON.stringify(bad)}`, path: parts.join('/'), expect: { 400: ['invalid_path'], 404: ['not_found'] } };
}

function wrongMethod(base: MalformedRequest, kind: string, rnd: Rnd): MalformedRequest {
  const others = ['GET', 'DELETE', 'PATCH', 'OPTIONS', kind === 'item-put' ? 'POST' : 'PUT'];
  const method = pick(rnd, others);
  // fetch refuses a body on GET.
  return { ...base, detail: method, method, body: method === 'GET' ? undefined : base.body, expect: { 405: ['method_not_allowed'] } };
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
