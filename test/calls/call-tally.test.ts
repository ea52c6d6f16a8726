import { describe, expect, it } from 'vitest';
import { CallTally, classifyStatus, DEFAULT_EXPECT } from '../../harness/load/call-tally.ts';
import { checkValidity, routeOf } from '../../harness/run/validity.ts';

const quiet = { faultActive: false, retryAfter: false };

describe('classifyStatus', () => {
  it('2xx and declared statuses are accepted, declared refusals refused, everything else failed', () => {
    const expect409 = { accepted: [304], refused: [409], shed: [503] };
    expect(classifyStatus(201, expect409, quiet)).toBe('accepted');
    expect(classifyStatus(304, expect409, quiet)).toBe('accepted');
    expect(classifyStatus(409, expect409, quiet)).toBe('refused');
    expect(classifyStatus(400, expect409, quiet)).toBe('failed');
  });

  it("the leaky service's 500s stay failures, during a fault or not; shedding counts only in a fault with Retry-After", () => {
    for (const faultActive of [false, true]) expect(classifyStatus(500, DEFAULT_EXPECT, { faultActive, retryAfter: true })).toBe('failed');
    expect(classifyStatus(503, DEFAULT_EXPECT, { faultActive: true, retryAfter: true })).toBe('refused');
    expect(classifyStatus(503, DEFAULT_EXPECT, { faultActive: true, retryAfter: false })).toBe('failed');
    expect(classifyStatus(503, DEFAULT_EXPECT, { faultActive: false, retryAfter: true })).toBe('failed');
    expect(classifyStatus(429, DEFAULT_EXPECT, { faultActive: true, retryAfter: true })).toBe('failed');
  });
});

describe('CallTally', () => {
  it('keeps results per call and per second, and the first non-2xx bodies, one per call and status', () => {
    const tally = new CallTally({ calls: [{ name: 'put', method: 'PUT', path: '/x/${id}', expect: { accepted: [], refused: [409], shed: [] } }] });
    tally.sent('put');
    tally.dropped('put');
    tally.response('put', 200, 3, 0);
    tally.response('put', 409, 4, 0, { body: '{"error":"duplicate"}', retryAfter: false });
    tally.response('put', 404, 5, 1, { body: '  not\n found ', retryAfter: false });
    tally.response('put', 404, 5, 1, { body: 'again', retryAfter: false });
    tally.failure('put', 'timeout', 1);
    const second = { t: 1, clock: '', phase: '', scheduled: 0, sent: 0, completed: 0, dropped: 0, status: {}, errors: {}, latency: { p50: 0, p90: 0, p99: 0, max: 0 } };
    tally.annotate(second);
    expect(second).toMatchObject({ classes: { accepted: 0, refused: 0, failed: 2, noAnswer: 1 }, failedStatus: { '404': 2 } });
    const r = tally.result();
    expect(r.calls.put).toMatchObject({ sent: 1, dropped: 1, fourXx: 3, classes: { accepted: 1, refused: 1, failed: 2, noAnswer: 1 }, errors: { timeout: 1 } });
    expect(r.firstErrors.map((e) => [e.status, e.body])).toEqual([
      [409, '{"error":"duplicate"}'],
      [404, 'not found'],
    ]);
  });
});

describe('checkValidity', () => {
  const call = (status: Record<string, number>) => ({
    method: 'PUT', path: '/api/v1/stores/${storeId}/items/${itemId}', sent: 10, dropped: 0, status, errors: {},
    classes: { accepted: status['200'] ?? 0, refused: 0, failed: 10 - (status['200'] ?? 0), noAnswer: 0 }, fourXx: 0, fiveXx: 0, latency: { p50: 0, p90: 0, p99: 0, max: 0 },
  });
  const summary = (accepted: number) => ({ status: {}, classes: { accepted, refused: 0, failed: 0, noAnswer: 0 } }) as never;

  it('more than half of a call answered the same 4xx: not valid; nothing accepted at all: a configuration mistake', () => {
    const v = checkValidity({ calls: { 'item-put': call({ '404': 10 }) }, summary: summary(0) });
    expect(v).toMatchObject({ valid: false, configMistake: true });
    expect(v.findings[0]!.sentence).toBe('every item-put answered 404: does the service serve PUT /api/v1/stores/:storeId/items/:itemId?');
    const some = checkValidity({ calls: { a: call({ '200': 4, '401': 6 }) }, summary: summary(4) });
    expect(some).toMatchObject({ valid: false, configMistake: false });
    expect(some.findings[0]!.sentence).toMatch(/^60% of a calls \(6 of 10\) answered 401: does a carry the credentials/);
    expect(checkValidity({ calls: { a: call({ '200': 5, '400': 5 }) }, summary: summary(5) }).valid).toBe(true);
  });

  it('answers the scenario declared (shed during a fault, expect.refused) do not make a run invalid', () => {
    const shed = { ...call({ '202': 3, '429': 7 }), classes: { accepted: 3, refused: 7, failed: 0, noAnswer: 0 } };
    expect(checkValidity({ calls: { 'item-put': shed }, summary: summary(3) }).valid).toBe(true);
  });

  it('writes templates as routes', () => {
    expect(routeOf('/v2/tenants/${ tenant }/products/${vars.sku}')).toBe('/v2/tenants/:tenant/products/:sku');
  });
});
