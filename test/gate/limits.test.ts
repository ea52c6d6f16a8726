import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { countAllowed, defaultLimits, limitsAsText, LimitsError, loadLimitsFile, parseLimitArgs, parseLimitsObject, withDefaults } from '../../harness/gate/limits.ts';

describe('parseLimitArgs', () => {
  it('reads each kind of limit and keeps the text as written', () => {
    const l = parseLimitArgs(['connections.ceiling=baseline+2/unit', 'errors.rate<1%', 'latency.p99<800ms', 'connections.churn<5/1000', 'channels.growth<=2', 'load.dropped < 0.5 %']);
    expect(l['connections.ceiling']).toEqual({ kind: 'count', text: 'baseline+2/unit', op: '<=', fromBaseline: true, perUnit: 2, absolute: 0 });
    expect(l['errors.rate']).toEqual({ kind: 'share', text: '<1%', op: '<', fraction: 0.01 });
    expect(l['latency.p99']).toEqual({ kind: 'duration', text: '<800ms', op: '<', ms: 800 });
    expect(l['connections.churn']).toEqual({ kind: 'rate', text: '<5/1000', op: '<', value: 5, per: 1000 });
    expect(l['channels.growth']).toMatchObject({ kind: 'count', text: '<=2', fromBaseline: false, absolute: 2 });
    expect(l['load.dropped']).toMatchObject({ fraction: 0.005, op: '<' });
  });

  it('reads durations in s and bare milliseconds (as k6), shares as fractions, and per-100 rates', () => {
    const l = parseLimitArgs(['latency.p99<1.5s', 'errors.rate<0.02', 'channels.churn<=1%']);
    expect(l['latency.p99']!.ms).toBe(1500);
    expect(parseLimitArgs(['latency.p99<250'])['latency.p99']!.ms).toBe(250);
    expect(l['errors.rate']!.fraction).toBe(0.02);
    expect(l['channels.churn']).toMatchObject({ value: 1, per: 100 });
  });

  it('turns rules off and sets options', () => {
    const l = parseLimitArgs(['connections.churn=off', 'abort.after=10s', 'gate.hold=500ms']);
    expect(l['connections.churn']).toBeNull();
    expect(l.abortAfterSec).toBe(10);
    expect(l.holdSec).toBe(0.5);
  });

  it('reports every problem at once in a LimitsError', () => {
    let err: unknown;
    try {
      parseLimitArgs(['conections.ceiling=1', 'errors.rate<150', 'latency.p99<fast', 'connections.growth<=baseline+1', 'nonsense', 'connections.churn<5']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LimitsError);
    const problems = (err as LimitsError).problems;
    expect(problems).toHaveLength(6);
    expect(problems[0]).toMatch(/unknown rule "conections.ceiling"/);
    expect(problems[1]).toMatch(/more than 100%/);
    expect(problems[2]).toMatch(/duration/);
    expect(problems[3]).toMatch(/cannot include baseline/);
    expect(problems[4]).toMatch(/expected <rule><op><limit>/);
    expect(problems[5]).toMatch(/rate per requests/);
    expect((err as Error).message).toMatch(/Rules: connections.ceiling/);
  });
});

describe('limits files and resolution', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rushgate-limits-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads { limits: {...} }, a bare object, or an array of strings', () => {
    const a = join(dir, 'a.json');
    writeFileSync(a, JSON.stringify({ limits: { 'connections.ceiling': 'baseline+3/unit', 'errors.rate': '<2%', 'load.dropped': null } }));
    const l = loadLimitsFile(a);
    expect(l['connections.ceiling']!.perUnit).toBe(3);
    expect(l['errors.rate']!.fraction).toBe(0.02);
    expect(l['load.dropped']).toBeNull();
    expect(parseLimitsObject({ 'latency.p99': 500 })['latency.p99']!.ms).toBe(500);
    expect(parseLimitsObject(['errors.rate<5%'])['errors.rate']!.fraction).toBe(0.05);
  });

  it('names the file and every bad entry', () => {
    const b = join(dir, 'b.json');
    writeFileSync(b, JSON.stringify({ 'errors.rate': '<x', 'what.ever': '1', 'latency.p99': { ms: 1 } }));
    expect(() => loadLimitsFile(b)).toThrow(LimitsError);
    try {
      loadLimitsFile(b);
    } catch (e) {
      expect((e as LimitsError).problems).toHaveLength(3);
      expect((e as LimitsError).problems.every((p) => p.startsWith(b))).toBe(true);
    }
    const c = join(dir, 'c.json');
    writeFileSync(c, '{ not json');
    expect(() => loadLimitsFile(c)).toThrow(/c\.json: .*expected a JSON file of limits/);
  });

  it('defaults: 2 connections per unit, no channel ceiling, 128 channels per connection, residue against the bound', () => {
    const text = limitsAsText(defaultLimits);
    expect(text['connections.ceiling']).toBe('<=baseline+2/unit');
    expect(text['channels.ceiling']).toBe('off');
    expect(text['channels.per-connection']).toBe('<=128');
    expect(text['connections.residue']).toBe('<=bound');
    expect(Object.entries(text).filter(([, t]) => t === 'off').map(([r]) => r)).toEqual(['channels.ceiling']);
    expect(countAllowed(defaultLimits['connections.ceiling']!, 3, 4)).toBe(11);
    // `bound` is the level the model found held (or the baseline when none held).
    expect(countAllowed(defaultLimits['channels.residue']!, 0, 2, 10)).toBe(10);
    expect(countAllowed(defaultLimits['channels.residue']!, 1, 2)).toBe(1);
  });

  it('residue no longer follows a raised ceiling; a hard channel ceiling and the per-connection limit parse', () => {
    const raised = withDefaults(parseLimitArgs(['connections.ceiling=baseline+4/unit', 'channels.ceiling<=8/unit', 'channels.per-connection<=64']));
    expect(raised['connections.residue']!.text).toBe('<=bound');
    expect(raised['channels.ceiling']).toMatchObject({ perUnit: 8, fromBaseline: false, text: '<=8/unit' });
    expect(raised['channels.per-connection']).toMatchObject({ absolute: 64 });
    expect(parseLimitArgs(['channels.residue<=bound+2'])['channels.residue']).toMatchObject({ fromBound: true, absolute: 2 });
    expect(() => parseLimitArgs(['channels.ceiling<=bound'])).toThrow(/"bound" is not baseline, a number/);
    expect(() => parseLimitArgs(['channels.per-connection<=2/unit'])).toThrow(/per-connection is a number of channels on one connection/);
  });
});

describe('resolveLimits (defaults, then file, then args)', async () => {
  const { resolveLimits } = await import('../../harness/gate/resolve-limits.ts');
  const dir = mkdtempSync(join(tmpdir(), 'rushgate-resolve-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lets args override the file, rule by rule', () => {
    const f = join(dir, 'l.json');
    writeFileSync(f, JSON.stringify({ 'errors.rate': '<5%', 'latency.p99': '<2s' }));
    const l = resolveLimits({ file: f, args: ['errors.rate<2%'] });
    expect(l['errors.rate']!.fraction).toBe(0.02);
    expect(l['latency.p99']!.ms).toBe(2000);
    expect(l['connections.ceiling']!.text).toBe('<=baseline+2/unit');
  });

  it('lists the problems of both sources in one error', () => {
    const f = join(dir, 'bad.json');
    writeFileSync(f, JSON.stringify({ 'errors.rate': '<x' }));
    try {
      resolveLimits({ file: f, args: ['latency.p99<soon'] });
      expect.unreachable();
    } catch (e) {
      expect((e as LimitsError).problems).toHaveLength(2);
    }
  });
});
