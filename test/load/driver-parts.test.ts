import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LoadConfigError, parseTarget, poolRequest, runLoad, USER_AGENT } from '../../harness/load/driver.ts';
import { errorKindOf } from '../../harness/load/error-kind.ts';
import { hasHeader } from '../../harness/load/http-pool.ts';
import { createLatencyHistogram, recordLatencyMs, summarizeLatencyWithMean } from '../../harness/load/latency.ts';
import { SecondTally } from '../../harness/load/second-tally.ts';
import { BUILT_IN_SCENARIOS } from '../../scenarios/index.ts';
import { resolveSchedule } from '../../scenarios/schedule.ts';

const schedule = resolveSchedule(BUILT_IN_SCENARIOS['spike']!);

describe('poolRequest', () => {
  it('sends the call under the base path with its own headers, and keeps its name', () => {
    const target = parseTarget('http://127.0.0.1:8080/base/');
    const body = '{"name":"Le Marché"}';
    const headers = { 'content-type': 'application/json', 'x-request-id': 'run-7' };
    const req = poolRequest(target, { name: 'item-put', method: 'PUT', path: '/api/v1/stores/s/items/i', headers, body, requestId: 'run-7' }, 7, 12.5);
    expect(req).toEqual({ seq: 7, name: 'item-put', intendedMs: 12.5, method: 'PUT', path: '/base/api/v1/stores/s/items/i', headers, body });
  });

  it('sends a call that names itself and brings its own headers as given', () => {
    const target = parseTarget('http://127.0.0.1:8080');
    const headers = { 'content-type': 'text/plain', 'x-request-id': 'run-8', 'x-tenant': 'a' };
    const req = poolRequest(target, { name: 'ping', method: 'DELETE', path: '/p?q=1', headers, body: '', requestId: 'run-8' }, 8, 0);
    expect(req).toMatchObject({ name: 'ping', method: 'DELETE', path: '/p?q=1', headers });
  });
});

describe('User-Agent', () => {
  const target = parseTarget('http://127.0.0.1:8080');
  const call = (headers: Record<string, string>) => ({ name: 'c', method: 'GET', path: '/', headers, body: '', requestId: 'r-1' });

  it('names rushgate and its version on a call that sets none', () => {
    expect(USER_AGENT).toBe(`rushgate/${JSON.parse(readFileSync('package.json', 'utf8')).version}`);
    expect(USER_AGENT).toMatch(/^rushgate\/\d+\.\d+\.\d+/);
    expect(poolRequest(target, call({ 'x-request-id': 'r-1' }), 1, 0).headers).toEqual({ 'x-request-id': 'r-1', 'user-agent': USER_AGENT });
  });

  it("keeps the call's own, whatever its case", () => {
    expect(poolRequest(target, call({ 'User-Agent': 'mine/1' }), 1, 0).headers).toEqual({ 'User-Agent': 'mine/1' });
    expect(poolRequest(target, call({ 'user-agent': 'mine/2' }), 1, 0).headers).toEqual({ 'user-agent': 'mine/2' });
  });

  it('copies a frozen header object instead of writing into it', () => {
    const frozen = Object.freeze({ 'x-a': '1' });
    expect(poolRequest(target, call(frozen), 1, 0).headers).toEqual({ 'x-a': '1', 'user-agent': USER_AGENT });
    expect(frozen).toEqual({ 'x-a': '1' });
  });
});

describe('parseTarget', () => {
  it('takes host, port and base path, and IPv6 literals', () => {
    expect(parseTarget('http://localhost:3000')).toEqual({ origin: 'http://localhost:3000', hostname: 'localhost', port: 3000, host: 'localhost:3000', basePath: '' });
    expect(parseTarget('http://[::1]:9/x')).toMatchObject({ hostname: '::1', port: 9, basePath: '/x' });
    expect(parseTarget('http://example.test').port).toBe(80);
  });
  it('refuses what the driver cannot speak', () => {
    expect(() => parseTarget('https://127.0.0.1:1')).toThrow(LoadConfigError);
    expect(() => parseTarget('not a url')).toThrow(/is not a URL/);
  });
});

describe('runLoad options', () => {
  it('rejects a useless in-flight limit, timeout or run id before sending anything', () => {
    const base = { targetUrl: 'http://127.0.0.1:9', schedule, runId: 'r1' };
    expect(() => runLoad({ ...base, inFlightLimit: 0 })).toThrow(/inFlightLimit 0/);
    expect(() => runLoad({ ...base, timeoutMs: 0 })).toThrow(/timeoutMs 0/);
    expect(() => runLoad({ ...base, runId: 'has space' })).toThrow(/runId "has space"/);
  });
});

describe('errorKindOf', () => {
  it('maps socket error codes onto the report kinds', () => {
    expect(errorKindOf('ECONNREFUSED')).toBe('refused');
    expect(errorKindOf('ECONNRESET')).toBe('reset');
    expect(errorKindOf('EPIPE')).toBe('reset');
    expect(errorKindOf(undefined)).toBe('reset');
    expect(errorKindOf('ETIMEDOUT')).toBe('timeout');
    expect(errorKindOf('EHOSTUNREACH')).toBe('other');
  });
});

describe('latency', () => {
  it('summarises in milliseconds with microsecond resolution', () => {
    const h = createLatencyHistogram();
    for (let i = 1; i <= 100; i++) recordLatencyMs(h, i / 10);
    const s = summarizeLatencyWithMean(h);
    expect(s.p50).toBeCloseTo(5, 1);
    expect(s.p99).toBeCloseTo(9.9, 1);
    expect(s.max).toBeCloseTo(10, 1);
    expect(s.mean).toBeCloseTo(5.05, 1);
    h.destroy();
  });

  it('a second with no responses reports zeros, and a tally counts what it saw', () => {
    const tally = new SecondTally();
    expect(tally.toLoadSecond({ t: 3, clock: '07:00', phase: 'p', scheduled: 5 })).toEqual({
      t: 3, clock: '07:00', phase: 'p', scheduled: 5, sent: 0, completed: 0, dropped: 0, status: {}, errors: {},
      latency: { p50: 0, p90: 0, p99: 0, max: 0 },
    });
    tally.sent = 2;
    tally.recordResponse(200, 3);
    tally.recordResponse(503, 40);
    tally.recordError('timeout');
    const s = tally.toLoadSecond({ t: 4, clock: '07:01', phase: 'p', scheduled: 2 });
    expect(s).toMatchObject({ sent: 2, completed: 2, status: { '200': 1, '503': 1 }, errors: { timeout: 1 } });
    expect(s.latency.max).toBeCloseTo(40, 1);
  });

  it('adds its latencies to the whole run when asked (the run records each response once)', () => {
    const whole = createLatencyHistogram();
    const direct = createLatencyHistogram();
    for (const t of [0, 1]) {
      const tally = new SecondTally();
      for (let i = 1; i <= 50; i++) {
        tally.recordResponse(200, i * (t + 1));
        recordLatencyMs(direct, i * (t + 1));
      }
      tally.toLoadSecond({ t, clock: '07:00', phase: 'p', scheduled: 50 }, whole);
    }
    expect(whole.totalCount).toBe(100);
    expect(summarizeLatencyWithMean(whole)).toEqual(summarizeLatencyWithMean(direct));
  });
});

describe('hasHeader (raw response headers)', () => {
  it('finds a header name in any case, and only names, not values', () => {
    const raw = [Buffer.from('Content-Type'), Buffer.from('text/plain'), Buffer.from('Retry-After'), Buffer.from('1')];
    expect(hasHeader(raw, 'retry-after')).toBe(true);
    expect(hasHeader(raw, 'content-type')).toBe(true);
    expect(hasHeader([Buffer.from('X'), Buffer.from('retry-after')], 'retry-after')).toBe(false);
    expect(hasHeader([], 'retry-after')).toBe(false);
  });
});
