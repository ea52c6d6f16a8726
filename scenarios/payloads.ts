// Seeded call generators: call number `seq` of a schedule always yields the same kind, path and body,
// whatever was sent before it, so a run can be replayed and its ids reconciled without storing them.
// Bodies follow the target contract in DESIGN.md (and service/http/schemas.ts).
import type { CallKind } from '../harness/run-record.ts';
import { DEFAULT_EXPECT, type CallExpect, type CallInfo } from '../harness/load/call-tally.ts';
import type { CallMix, Catalog } from './define-scenario.ts';

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

/** The reference contract's calls as the per-call results show them (paths are templates). */
export const REFERENCE_PATHS: Record<CallKind, { method: string; path: string }> = {
  'item-put': { method: 'PUT', path: '/api/v1/stores/${storeId}/items/${itemId}' },
  'items-batch': { method: 'POST', path: '/api/v1/stores/${storeId}/items' },
  matchings: { method: 'POST', path: '/api/v1/stores/${storeId}/matchings' },
};

/** The calls a schedule may send, with what each expects besides 2xx. */
export function callInfosOf(source: PayloadSource & { expect?: CallExpect }): CallInfo[] {
  return KINDS.filter((k) => source.mix[k].weight > 0).map((name) => ({ name, ...REFERENCE_PATHS[name], expect: source.expect ?? DEFAULT_EXPECT }));
}

/** The name of call `seq` without building it (for arrivals dropped before they were made). */
export function callNameOf(source: PayloadSource, seq: number): string {
  return pickKind(source.mix, mulberry32(hashSeed(source.seed, seq))());
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
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x01000193);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
  }
  return h >>> 0;
}

export function requestIdFor(runId: string, seq: number): string {
  return `${runId}-${seq}`;
}

/** Inverse of requestIdFor; undefined for ids this harness did not make. */
export function parseRequestId(id: string): { runId: string; seq: number } | undefined {
  const cut = id.lastIndexOf('-');
  if (cut <= 0) return undefined;
  const seq = Number(id.slice(cut + 1));
  return Number.isInteger(seq) && seq >= 0 ? { runId: id.slice(0, cut), seq } : undefined;
}

/** The call for arrival `seq` (0-based across the whole schedule). */
export function makeCall(source: PayloadSource, seq: number, runId: string): Call & { name: CallKind; body: string } {
  const rnd = mulberry32(hashSeed(source.seed, seq));
  const kind = pickKind(source.mix, rnd());
  const storeIdx = int(rnd, 0, source.catalog.stores - 1);
  const storeId = storeIdFor(storeIdx);
  const requestId = requestIdFor(runId, seq);
  const base = `/api/v1/stores/${storeId}`;
  const headers = { 'content-type': 'application/json', 'x-request-id': requestId };
  switch (kind) {
    case 'item-put': {
      const itemIdx = int(rnd, 0, source.catalog.itemsPerStore - 1);
      return { name: kind, method: 'PUT', path: `${base}/items/${itemIdFor(itemIdx)}`, headers, body: itemJson(source, storeIdx, itemIdx, rnd), requestId };
    }
    case 'items-batch': {
      const n = int(rnd, source.mix['items-batch'].items.min, source.mix['items-batch'].items.max);
      const items: string[] = [];
      for (let i = 0; i < n; i++) items.push(itemJson(source, storeIdx, int(rnd, 0, source.catalog.itemsPerStore - 1), rnd));
      return { name: kind, method: 'POST', path: `${base}/items`, headers, body: `[${items.join(',')}]`, requestId };
    }
    case 'matchings': {
      const n = int(rnd, source.mix.matchings.pairs.min, source.mix.matchings.pairs.max);
      const pairs: string[] = [];
      for (let i = 0; i < n; i++) {
        const labelId = labelIdFor(storeIdx, int(rnd, 0, 999_999));
        pairs.push(`{"labelId":"${labelId}","itemId":"${itemIdFor(int(rnd, 0, source.catalog.itemsPerStore - 1))}"}`);
      }
      return { name: kind, method: 'POST', path: `${base}/matchings`, headers, body: `[${pairs.join(',')}]`, requestId };
    }
  }
}

const KINDS: readonly CallKind[] = ['item-put', 'items-batch', 'matchings'];

/** Weighted choice for u in [0, 1); kinds with weight 0 are never picked. */
export function pickKind(mix: CallMix, u: number): CallKind {
  const total = KINDS.reduce((sum, k) => sum + mix[k].weight, 0);
  let x = u * total;
  let last: CallKind = 'item-put';
  for (const kind of KINDS) {
    const w = mix[kind].weight;
    if (w <= 0) continue;
    if (x < w) return kind;
    x -= w;
    last = kind;
  }
  return last;
}

// Mostly euro stores, like the incident's customer base, with the other European currencies mixed in.
export const CURRENCIES = ['EUR', 'EUR', 'EUR', 'EUR', 'EUR', 'EUR', 'GBP', 'SEK', 'DKK', 'NOK', 'PLN', 'CHF', 'CZK', 'HUF'];
export const BRANDS = ['Alpen', 'Nordfrisch', 'Bio Garten', 'Casa Verde', 'Le Marché', 'Fjord', 'Sunvale', 'Hofgut', 'Maison', 'Vita'];
export const PRODUCTS = ['whole milk', 'rye bread', 'espresso beans', 'olive oil', 'gouda', 'apple juice', 'pasta', 'yoghurt', 'butter', 'oat drink', 'tomatoes', 'dark chocolate'];
export const SIZES = ['250 g', '500 g', '1 kg', '1 L', '750 ml', '6 x 1.5 L', '200 g', '400 g'];

export const storeIdFor = (storeIdx: number): string => `store-${String(storeIdx).padStart(5, '0')}`;
export const itemIdFor = (itemIdx: number): string => `sku-${String(itemIdx).padStart(8, '0')}`;
const labelIdFor = (storeIdx: number, n: number): string => `lbl-${storeIdx}-${String(n).padStart(6, '0')}`;

// Bodies are assembled as JSON text from parts that need no escaping (ids, fixed word lists, numbers):
// at tens of thousands of calls a second, JSON.stringify and per-item objects were the driver's
// largest cost. What an item is (id, name, EAN) is fixed per item and cached; what changes from call
// to call is price and stock.
const FIXED_CACHE_MAX = 200_000;
const fixedParts = new Map<number, Map<number, { head: string; base: number }>>();

function fixedPart(seed: number, itemIdx: number): { head: string; base: number } {
  let bySeed = fixedParts.get(seed);
  if (!bySeed) {
    bySeed = new Map();
    fixedParts.set(seed, bySeed);
  }
  let part = bySeed.get(itemIdx);
  if (!part) {
    const fixed = mulberry32(hashSeed(seed, 0x51ce, itemIdx));
    const name = `${pick(BRANDS, fixed())} ${pick(PRODUCTS, fixed())} ${pick(SIZES, fixed())}`;
    const base = 0.29 + fixed() * 30;
    part = { head: `{"id":"${itemIdFor(itemIdx)}","name":${JSON.stringify(name)},"ean":"${ean13(fixed)}"`, base };
    if (bySeed.size >= FIXED_CACHE_MAX) bySeed.clear();
    bySeed.set(itemIdx, part);
  }
  return part;
}

function itemJson(source: PayloadSource, storeIdx: number, itemIdx: number, rnd: () => number): string {
  const { head, base } = fixedPart(source.seed, itemIdx);
  const currency = CURRENCIES[hashSeed(source.seed, storeIdx) % CURRENCIES.length] as string;
  const price = Math.round(base * (0.8 + rnd() * 0.4) * 100) / 100;
  const stock = int(rnd, 0, 400);
  const promo = rnd() < 0.1 ? `,"promoPrice":${Math.round(price * 80) / 100}` : '';
  return `${head},"price":${price},"currency":"${currency}","stock":${stock}${promo}}`;
}

function ean13(rnd: () => number): string {
  let digits = '40';
  for (let i = 0; i < 10; i++) digits += String(Math.floor(rnd() * 10));
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(digits[i]) * (i % 2 === 0 ? 1 : 3);
  return digits + String((10 - (sum % 10)) % 10);
}

function int(rnd: () => number, min: number, max: number): number {
  return min + Math.floor(rnd() * (max - min + 1));
}

function pick<T>(list: readonly T[], u: number): T {
  return list[Math.floor(u * list.length)] as T;
}
