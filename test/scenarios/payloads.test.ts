import { describe, expect, it } from 'vitest';
import { BUILT_IN_SCENARIOS } from '../../scenarios/index.ts';
import { decimalText, itemIdFor, makeCall, paddedDecimal, parseRequestId, requestIdFor, storeIdFor } from '../../scenarios/payloads.ts';
import { resolveSchedule } from '../../scenarios/schedule.ts';
import { itemBatchSchema, itemSchema, matchingsSchema } from '../../service/http/schemas.ts';

const eu = resolveSchedule(BUILT_IN_SCENARIOS['eu-morning']!);

describe('makeCall', () => {
  it('gives the same call for the same seed and seq, whatever was generated before', () => {
    const first = Array.from({ length: 300 }, (_, seq) => makeCall(eu, seq, 'run1'));
    const again = Array.from({ length: 300 }, (_, i) => makeCall(eu, 299 - i, 'run1')).reverse();
    expect(again).toEqual(first);
    expect(makeCall(resolveSchedule(BUILT_IN_SCENARIOS['eu-morning']!, { durationSec: 90 }), 123, 'run1')).toEqual(first[123]);
  });

  it('changes bodies and ids with the seed', () => {
    const other = { ...eu, seed: eu.seed + 1 };
    const a = Array.from({ length: 50 }, (_, seq) => makeCall(eu, seq, 'r').body);
    const b = Array.from({ length: 50 }, (_, seq) => makeCall(other, seq, 'r').body);
    expect(a.filter((body, i) => body === b[i]).length).toBeLessThan(3);
  });

  it('derives the request id from run id and seq, and back', () => {
    const call = makeCall(eu, 4711, 'a1b2-c3');
    expect(call.requestId).toBe('a1b2-c3-4711');
    expect(requestIdFor('a1b2-c3', 4711)).toBe(call.requestId);
    expect(parseRequestId(call.requestId)).toEqual({ runId: 'a1b2-c3', seq: 4711 });
    expect(parseRequestId('no-number-x')).toBeUndefined();
    expect(parseRequestId('7')).toBeUndefined();
  });

  it('writes numbers as String and padStart do, from its own three-digit pieces', () => {
    const edges = [0, 1, 9, 10, 99, 100, 999, 1000, 1001, 9999, 10_000, 99_999, 100_000, 999_999, 1_000_000, 12_345_678, 99_999_999, 100_000_000, 2 ** 31, Number.MAX_SAFE_INTEGER];
    const values = [...edges, ...Array.from({ length: 2000 }, (_, i) => Math.floor((i * 7919) ** 1.7))];
    for (const n of values) {
      expect(decimalText(n)).toBe(String(n));
      for (const width of [1, 2, 3, 4, 5, 8, 9]) expect(paddedDecimal(n, width)).toBe(String(n).padStart(width, '0'));
    }
    for (const odd of [-1, 1.5, Number.NaN]) expect(decimalText(odd)).toBe(String(odd));
    expect([storeIdFor(42), itemIdFor(6913), requestIdFor('r', 1_234_567)]).toEqual(['store-00042', 'sku-00006913', 'r-1234567']);
  });

  it('follows the weighted mix and the size ranges', () => {
    const n = 10_000;
    const counts = { 'item-put': 0, 'items-batch': 0, matchings: 0 };
    const sizes: number[] = [];
    for (let seq = 0; seq < n; seq++) {
      const call = makeCall(eu, seq, 'r');
      counts[call.name]++;
      if (call.name === 'items-batch' && seq % 10 === 0) sizes.push((JSON.parse(call.body) as unknown[]).length);
    }
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(500);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeGreaterThan(300);
    expect(counts['item-put'] / n).toBeCloseTo(0.6, 1);
    expect(counts['items-batch'] / n).toBeCloseTo(0.15, 1);
    expect(counts.matchings / n).toBeCloseTo(0.25, 1);
  });

  it('never picks a kind whose weight is 0', () => {
    const onlyPuts = { ...eu, mix: { ...eu.mix, 'items-batch': { ...eu.mix['items-batch'], weight: 0 }, matchings: { ...eu.mix.matchings, weight: 0 } } };
    for (let seq = 0; seq < 500; seq++) expect(makeCall(onlyPuts, seq, "r").name).toBe('item-put');
  });

  it('produces bodies the reference service accepts, on the contract paths', () => {
    for (let seq = 0; seq < 400; seq++) {
      const call = makeCall(eu, seq, 'r');
      const body: unknown = JSON.parse(call.body);
      if (call.name === 'item-put') {
        expect(call.method).toBe('PUT');
        const item = itemSchema.parse(body);
        expect(call.path).toBe(`/api/v1/stores/${call.path.split('/')[4]}/items/${item.id}`);
      } else if (call.name === 'items-batch') {
        expect(call.method).toBe('POST');
        expect(call.path).toMatch(/^\/api\/v1\/stores\/[A-Za-z0-9._-]+\/items$/);
        itemBatchSchema.parse(body);
      } else {
        expect(call.method).toBe('POST');
        expect(call.path).toMatch(/^\/api\/v1\/stores\/[A-Za-z0-9._-]+\/matchings$/);
        matchingsSchema.parse(body);
      }
    }
  });

  it('keeps what an item is stable across calls (name, EAN) while prices move', () => {
    const byId = new Map<string, { name: string; ean: string; prices: Set<number> }>();
    let mismatches = 0;
    let repeats = 0;
    for (let seq = 0; seq < 2000; seq++) {
      const call = makeCall(eu, seq, 'r');
      if (call.name !== 'items-batch') continue;
      for (const item of JSON.parse(call.body) as Array<{ id: string; name: string; ean: string; price: number }>) {
        const seen = byId.get(item.id);
        if (!seen) byId.set(item.id, { name: item.name, ean: item.ean, prices: new Set([item.price]) });
        else {
          repeats++;
          if (item.name !== seen.name || item.ean !== seen.ean) mismatches++;
          seen.prices.add(item.price);
        }
      }
    }
    expect(repeats).toBeGreaterThan(100);
    expect(mismatches).toBe(0);
    expect([...byId.values()].some((v) => v.prices.size > 1)).toBe(true);
  });
});
