// Seeded call generators: call number `seq` of a schedule always yields the same kind, path and body,
// whatever was sent before it, so a run can be replayed and its ids reconciled without storing them.
// Bodies follow the target contract in DESIGN.md (and service/http/schemas.ts).
import type { CallKind } from '../harness/run-record.ts';
import { DEFAULT_EXPECT, type CallExpect } from '../harness/load/call-tally.ts';
import type { BuildContext, CallDef } from './calls/call-def.ts';
import type { CallMix, Catalog } from './define-scenario.ts';

export const DEFAULT_REQUEST_ID_HEADER = 'X-Request-Id';

/** One request, ready to send: the driver sends method, path, headers and body as given. */
export interface Call {
  /** The call's name in the scenario; results are kept per name. */
  name: string;
  method: string;
  /** Path and query, appended to the target's base URL. */
  path: string;
  /** Includes content-type and the request-id header. */
  headers: Record<string, string>;
  body: string | Buffer;
  requestId: string;
}

/** The parts of a Schedule the generators read. */
export interface PayloadSource {
  seed: number;
  mix: CallMix;
  catalog: Catalog;
}

/** mulberry32: tiny, fast, and good enough to vary payloads; not for anything secret. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes integers into one 32-bit seed, so neighbouring seq numbers get unrelated streams. */
export function hashSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) h = mix(h, part);
  return h >>> 0;
}

/** hashSeed(a, b) without the rest array: it runs once or twice per arrival. */
export function hashSeed2(a: number, b: number): number {
  return mix(mix(0x811c9dc5, a), b) >>> 0;
}

function mix(h: number, part: number): number {
  h = Math.imul(h ^ (part >>> 0), 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 12);
}

/**
 * One mulberry32 stream reseeded for each arrival instead of a new closure per arrival: `next` draws
 * exactly what mulberry32(seed) would. Valid while the arrival is built (building is synchronous).
 */
export interface SeededStream {
  reseed(seed: number): void;
  readonly next: () => number;
}

export function seededStream(): SeededStream {
  let a = 0;
  return {
    reseed(seed) {
      a = seed >>> 0;
    },
    next() {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

export function requestIdFor(runId: string, seq: number): string {
  return `${runId}-${decimalText(seq)}`;
}

const SMALL_DECIMALS = Array.from({ length: 1000 }, (_, n) => String(n));
/** PADDED[w][n]: n < 10^w written with w digits, for w = 1, 2, 3 (PADDED[0] is not used). */
const PADDED = [0, 1, 2, 3].map((width) => SMALL_DECIMALS.slice(0, 10 ** width).map((text) => text.padStart(width, '0')));
const THREE_DIGITS = PADDED[3] as string[];

/**
 * String(n) for a whole number n >= 0, joined from three-digit pieces converted once. V8 keeps the text
 * of each number it converts in a cache until another number takes its slot: with a new sequence number
 * for every request, each id's digits outlived two young-generation collections and were promoted,
 * ~65 KB per scavenge at 35,000 req/s.
 */
export function decimalText(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) return String(n);
  if (n < 1000) return SMALL_DECIMALS[n] as string;
  return decimalText(Math.floor(n / 1000)) + (THREE_DIGITS[n % 1000] as string);
}

/** String(n).padStart(width, '0') for a whole number n >= 0, from the same pieces as decimalText (ids drawn per call). */
export function paddedDecimal(n: number, width: number): string {
  if (!Number.isSafeInteger(n) || n < 0 || n >= 10 ** width) return String(n).padStart(width, '0');
  let out = '';
  let rest = n;
  let w = width;
  for (; w > 3; w -= 3, rest = Math.floor(rest / 1000)) out = (THREE_DIGITS[rest % 1000] as string) + out;
  return ((PADDED[w] as string[])[rest] as string) + out;
}

/** Inverse of requestIdFor; undefined for ids this harness did not make. */
export function parseRequestId(id: string): { runId: string; seq: number } | undefined {
  const cut = id.lastIndexOf('-');
  if (cut <= 0) return undefined;
  const seq = Number(id.slice(cut + 1));
  return Number.isInteger(seq) && seq >= 0 ? { runId: id.slice(0, cut), seq } : undefined;
}

/** The reference contract's three calls (DESIGN.md), as call definitions like any user's. */
export function referenceCalls(mix: CallMix, expect: CallExpect = DEFAULT_EXPECT, requestIdHeader: string | null = DEFAULT_REQUEST_ID_HEADER): CallDef[] {
  const headers = (requestId: string): Record<string, string> => {
    const h: Record<string, string> = { 'content-type': 'application/json' };
    if (requestIdHeader) h[requestIdHeader] = requestId;
    return h;
  };
  const def = (name: CallKind, method: string, path: string, build: (rnd: () => number, ctx: BuildContext, storeIdx: number) => { path: string; body: string }): CallDef => ({
    name,
    method,
    path,
    weight: mix[name].weight,
    expect,
    build(rnd, ctx) {
      // The store is the first draw after the pick, as it always was: same seed, same bodies.
      const built = build(rnd, ctx, int(rnd, 0, ctx.catalog.stores - 1));
      return { path: built.path, headers: headers(ctx.requestId), body: built.body };
    },
  });
  const base = storeBase;
  return [
    def('item-put', 'PUT', '/api/v1/stores/${storeId}/items/${itemId}', (rnd, ctx, storeIdx) => {
      const part = fixedPart(ctx.seed, int(rnd, 0, ctx.catalog.itemsPerStore - 1));
      return { path: base(storeIdx) + part.itemPath, body: itemJsonOf(part, ctx.seed, storeIdx, rnd) };
    }),
    def('items-batch', 'POST', '/api/v1/stores/${storeId}/items', (rnd, ctx, storeIdx) => {
      const n = int(rnd, mix['items-batch'].items.min, mix['items-batch'].items.max);
      const items: string[] = [];
      for (let i = 0; i < n; i++) items.push(itemJson(ctx.seed, storeIdx, int(rnd, 0, ctx.catalog.itemsPerStore - 1), rnd));
      return { path: `${base(storeIdx)}/items`, body: `[${items.join(',')}]` };
    }),
    def('matchings', 'POST', '/api/v1/stores/${storeId}/matchings', (rnd, ctx, storeIdx) => {
      const n = int(rnd, mix.matchings.pairs.min, mix.matchings.pairs.max);
      const pairs: string[] = [];
      for (let i = 0; i < n; i++) {
        const labelId = labelIdFor(storeIdx, int(rnd, 0, 999_999));
        pairs.push(`{"labelId":"${labelId}","itemId":"${itemIdFor(int(rnd, 0, ctx.catalog.itemsPerStore - 1))}"}`);
      }
      return { path: `${base(storeIdx)}/matchings`, body: `[${pairs.join(',')}]` };
    }),
  ];
}

/** Weighted choice for u in [0, 1); calls with weight 0 are never picked. */
export function pickIndex(weights: readonly number[], u: number): number {
  let total = 0;
  for (const w of weights) total += Math.max(0, w);
  let x = u * total;
  let last = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i] as number;
    if (w <= 0) continue;
    if (x < w) return i;
    x -= w;
    last = i;
  }
  return last;
}

/** The call for arrival `seq` of a reference-contract scenario (tests and benchmarks; runs use calls/call-source.ts). */
const referenceByMix = new WeakMap<CallMix, CallDef[]>();
const noClock = (): string => '';
const NONE: Record<string, never> = Object.freeze({});

export function makeCall(source: PayloadSource, seq: number, runId: string): Call & { name: CallKind; body: string } {
  let calls = referenceByMix.get(source.mix);
  if (!calls) referenceByMix.set(source.mix, (calls = referenceCalls(source.mix, DEFAULT_EXPECT, 'x-request-id')));
  const rnd = mulberry32(hashSeed(source.seed, seq));
  const def = calls[pickIndex(calls.map((c) => c.weight), rnd())] as CallDef;
  const requestId = requestIdFor(runId, seq);
  const built = def.build(rnd, { seq, requestId, seed: source.seed, catalog: source.catalog, now: noClock, env: NONE, setup: NONE });
  return { name: def.name as CallKind, method: def.method, path: built.path, headers: built.headers, body: built.body as string, requestId };
}

// Mostly euro stores, like the incident's customer base, with the other European currencies mixed in.
export const CURRENCIES = ['EUR', 'EUR', 'EUR', 'EUR', 'EUR', 'EUR', 'GBP', 'SEK', 'DKK', 'NOK', 'PLN', 'CHF', 'CZK', 'HUF'];
export const BRANDS = ['Alpen', 'Nordfrisch', 'Bio Garten', 'Casa Verde', 'Le Marché', 'Fjord', 'Sunvale', 'Hofgut', 'Maison', 'Vita'];
export const PRODUCTS = ['whole milk', 'rye bread', 'espresso beans', 'olive oil', 'gouda', 'apple juice', 'pasta', 'yoghurt', 'butter', 'oat drink', 'tomatoes', 'dark chocolate'];
export const SIZES = ['250 g', '500 g', '1 kg', '1 L', '750 ml', '6 x 1.5 L', '200 g', '400 g'];

export const storeIdFor = (storeIdx: number): string => `store-${paddedDecimal(storeIdx, 5)}`;
export const itemIdFor = (itemIdx: number): string => `sku-${paddedDecimal(itemIdx, 8)}`;
const labelIdFor = (storeIdx: number, n: number): string => `lbl-${storeIdx}-${String(n).padStart(6, '0')}`;

// Bodies are assembled as JSON text from parts that need no escaping (ids, fixed word lists, numbers):
// at tens of thousands of calls a second, JSON.stringify and per-item objects were the driver's
// largest cost. What an item is (id, name, EAN) is fixed per item and cached; what changes from call
// to call is price and stock.
const FIXED_CACHE_MAX = 200_000;
interface FixedPart {
  /** `{"id":...,"name":...,"ean":...` without the closing brace. */
  head: string;
  base: number;
  /** `/items/sku-...`, the path's tail for this item. */
  itemPath: string;
}
/** Per seed, by item index (an array: a Map lookup per arrival cost more than building the rest). */
const fixedParts = new Map<number, Array<FixedPart | undefined>>();
let lastSeed = Number.NaN;
const fixedStream = seededStream();
let lastParts: Array<FixedPart | undefined> = [];

function fixedPart(seed: number, itemIdx: number): FixedPart {
  if (seed !== lastSeed) {
    let bySeed = fixedParts.get(seed);
    if (!bySeed) fixedParts.set(seed, (bySeed = []));
    lastSeed = seed;
    lastParts = bySeed;
  }
  const cached = lastParts[itemIdx];
  if (cached) return cached;
  fixedStream.reseed(hashSeed(seed, 0x51ce, itemIdx));
  const fixed = fixedStream.next;
  const name = `${pick(BRANDS, fixed())} ${pick(PRODUCTS, fixed())} ${pick(SIZES, fixed())}`;
  const base = 0.29 + fixed() * 30;
  const id = itemIdFor(itemIdx);
  const part = { head: `{"id":"${id}","name":${JSON.stringify(name)},"ean":"${ean13(fixed)}"`, base, itemPath: `/items/${id}` };
  if (itemIdx < FIXED_CACHE_MAX) {
    // Grown densely (undefined, not holes): a sparse array falls back to a slow dictionary.
    while (lastParts.length <= itemIdx) lastParts.push(undefined);
    lastParts[itemIdx] = part;
  }
  return part;
}

const STORE_CACHE_MAX = 100_000;
const storeBases: string[] = [];
/** `/api/v1/stores/store-NNNNN`, cached per store. */
function storeBase(storeIdx: number): string {
  const cached = storeBases[storeIdx];
  if (cached !== undefined) return cached;
  const base = `/api/v1/stores/${storeIdFor(storeIdx)}`;
  if (storeIdx < STORE_CACHE_MAX) storeBases[storeIdx] = base;
  return base;
}

function itemJson(seed: number, storeIdx: number, itemIdx: number, rnd: () => number): string {
  return itemJsonOf(fixedPart(seed, itemIdx), seed, storeIdx, rnd);
}

function itemJsonOf(part: FixedPart, seed: number, storeIdx: number, rnd: () => number): string {
  const currency = CURRENCIES[hashSeed2(seed, storeIdx) % CURRENCIES.length] as string;
  const cents = Math.round(part.base * (0.8 + rnd() * 0.4) * 100);
  const stock = int(rnd, 0, 400);
  // Same text as `${cents / 100}` and `${Math.round(price * 80) / 100}`, from integers (formatting a
  // fraction was the largest single cost of building a body).
  const promo = rnd() < 0.1 ? `,"promoPrice":${centsText(Math.round((cents / 100) * 80))}` : '';
  return `${part.head},"price":${centsText(cents)},"currency":"${currency}","stock":${stock}${promo}}`;
}

/** n / 100 as JavaScript prints it (n a whole number >= 0): "12", "12.3", "12.34". */
export function centsText(n: number): string {
  const whole = Math.floor(n / 100);
  const frac = n - whole * 100;
  if (frac === 0) return String(whole);
  if (frac % 10 === 0) return `${whole}.${frac / 10}`;
  return `${whole}.${frac < 10 ? '0' : ''}${frac}`;
}

function ean13(rnd: () => number): string {
  // "40" and ten drawn digits, weighted 1, 3, 1, 3, ... for the check digit ("4" weighs 1, "0" 3).
  let digits = '40';
  let sum = 4;
  for (let i = 0; i < 10; i++) {
    const d = Math.floor(rnd() * 10);
    digits += d;
    sum += i % 2 === 0 ? d : 3 * d;
  }
  return digits + String((10 - (sum % 10)) % 10);
}

function int(rnd: () => number, min: number, max: number): number {
  return min + Math.floor(rnd() * (max - min + 1));
}

function pick<T>(list: readonly T[], u: number): T {
  return list[Math.floor(u * list.length)] as T;
}
