import { describe, expect, it } from 'vitest';
import { redactText } from '../../harness/redact.ts';
import { createCallSource } from '../../scenarios/calls/call-source.ts';
import { resolveEnv } from '../../scenarios/calls/run-values.ts';
import { defineScenario, ScenarioError, type ScenarioSpec } from '../../scenarios/define-scenario.ts';
import { resolveSchedule } from '../../scenarios/schedule.ts';

const base = {
  name: 'products',
  description: 'a tenant products API',
  clockStart: '07:00',
  defaultDurationSec: 10,
  peakRps: 10,
  seed: 42,
  phases: [{ kind: 'constant-rate', name: 'flat', minutes: 60, rps: 10 }],
} satisfies Partial<ScenarioSpec>;

const spec: ScenarioSpec = {
  ...base,
  requestIdHeader: 'X-Correlation-Id',
  calls: {
    'product-post': {
      method: 'POST',
      path: '/v2/tenants/${tenant}/products?src=${storeId}',
      weight: 3,
      headers: { Authorization: 'Bearer ${env.RG_TEST_TOKEN}' },
      vars: { tenant: { kind: 'pick', from: ['acme', 'globex'] }, price: { kind: 'decimal', min: 1, max: 9 }, qty: { kind: 'int', min: 1, max: 5 }, at: { kind: 'time' } },
      body: { sku: '${itemId}', price: '${price}', qty: '${qty}', note: 'qty ${qty}', at: '${at}', ref: '${uuid}' },
    },
    'stock-form': { method: 'POST', path: '/stock', weight: 1, form: { ref: '${requestId}', sku: '${itemId}', n: '${seq}' }, expect: { refused: [409] } },
  },
};

describe('user calls', () => {
  const schedule = resolveSchedule(defineScenario(spec));
  const env = { RG_TEST_TOKEN: 'tok-secret-123' };
  const source = (runId = 'run1') => createCallSource(schedule, { runId, env, day: '2026-03-02' });

  it('the same seed gives the same requests, call by call', () => {
    const a = source();
    const b = source();
    for (let seq = 0; seq < 200; seq++) expect(a.make(seq)).toEqual(b.make(seq));
    const names = new Set(Array.from({ length: 200 }, (_, seq) => a.nameOf(seq)));
    expect(names).toEqual(new Set(['product-post', 'stock-form']));
    for (let seq = 0; seq < 200; seq++) expect(a.make(seq).name).toBe(a.nameOf(seq));
  });

  it('fills templates: typed JSON values, env headers, the request id header, form bodies', () => {
    const s = source();
    let seq = 0;
    while (s.nameOf(seq) !== 'product-post') seq++;
    const call = s.make(seq);
    expect(call.method).toBe('POST');
    expect(call.path).toMatch(/^\/v2\/tenants\/(acme|globex)\/products\?src=store-\d{5}$/);
    expect(call.headers).toMatchObject({ Authorization: 'Bearer tok-secret-123', 'X-Correlation-Id': `run1-${seq}`, 'content-type': 'application/json' });
    const body = JSON.parse(String(call.body)) as Record<string, unknown>;
    expect(typeof body.price).toBe('number');
    expect(body.note).toBe(`qty ${body.qty as number}`);
    expect(body.sku).toMatch(/^sku-\d{8}$/);
    expect(body.ref).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // 07:00 plus the arrival's place in a 10 s run that covers 60 scenario minutes.
    expect(body.at).toMatch(/^2026-03-02T07:\d\d:\d\d\.\d{3}Z$/);
    while (s.nameOf(++seq) !== 'stock-form');
    const form = s.make(seq);
    expect(form.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(String(form.body)))).toMatchObject({ ref: `run1-${seq}`, n: String(seq) });
    expect(schedule.calls.find((c) => c.name === 'stock-form')?.expect.refused).toEqual([409]);
  });

  it('env values are required before anything starts, and redacted once read', () => {
    expect(() => resolveEnv(schedule.calls, undefined, {})).toThrow(/reads \$\{env\.RG_TEST_TOKEN\}, but it is not set/);
    resolveEnv(schedule.calls, undefined, env);
    expect(redactText('Authorization: Bearer tok-secret-123')).toBe('Authorization: Bearer ***');
  });

  it('reports every problem at once; unknown keys still fail', () => {
    const bad = {
      ...base,
      calls: {
        one: { method: 'POST', path: '/x/${nope}', weight: 1, bdy: {} },
        two: { method: 'POST', path: 'y', weight: 1, body: {}, form: {}, vars: { n: { kind: 'int', min: 5, max: 1 } }, headers: { A: '${setup.token}' } },
      },
    } as unknown as ScenarioSpec;
    let err: ScenarioError | undefined;
    try {
      defineScenario(bad);
    } catch (e) {
      err = e as ScenarioError;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    const text = err!.problems.join('\n');
    expect(text).toMatch(/calls\.one: unknown key "bdy" \(allowed: method, path, weight/);
    expect(text).toMatch(/calls\.two\.path: must start with "\/"/);
    expect(text).toMatch(/calls\.one: \$\{nope\} is not a var/);
    expect(text).toMatch(/calls\.two: give either "body" or "form"/);
    expect(text).toMatch(/calls\.two\.vars\.n: min 5 is above max 1/);
    expect(text).toMatch(/calls\.two: \$\{setup\.token\} reads the setup response, but the scenario has no "setup"/);
  });
  it('compiles templates once and fills them per arrival: values are read at each arrival, vars shadow built-ins, path values are encoded', () => {
    const compiled = resolveSchedule(
      defineScenario({
        ...base,
        calls: {
          shadow: {
            method: 'PUT',
            path: '/s/${storeId}/${word}/${ itemId }',
            weight: 1,
            headers: { 'X-Pair': '${requestId}|${seq}', 'X-Plain': 'no refs ${ here' },
            vars: { storeId: { kind: 'pick', from: ['mine'] }, word: { kind: 'pick', from: ['a b', 'x/y'] } },
            body: { id: '${requestId}', seq: '${seq}', nested: [{ at: 'seq ${seq}' }] },
          },
        },
      }),
    );
    const s = createCallSource(compiled, { runId: 'c1' });
    const first = s.make(7);
    const second = s.make(8);
    expect(first.path).toMatch(/^\/s\/mine\/(a%20b|x%2Fy)\/sku-\d{8}$/);
    expect(first.headers).toMatchObject({ 'X-Pair': 'c1-7|7', 'X-Plain': 'no refs ${ here' });
    expect(second.headers).toMatchObject({ 'X-Pair': 'c1-8|8' });
    expect(JSON.parse(String(first.body))).toEqual({ id: 'c1-7', seq: 7, nested: [{ at: 'seq 7' }] });
    expect(JSON.parse(String(second.body))).toEqual({ id: 'c1-8', seq: 8, nested: [{ at: 'seq 8' }] });
    // Built again for the same arrival, after others: the same bytes.
    expect(s.make(7)).toEqual(first);
  });
  it('leaves built-in ids as they are in paths (URL-safe as made) but encodes a var that shadows one', () => {
    const compiled = resolveSchedule(
      defineScenario({
        ...base,
        calls: {
          own: { method: 'GET', path: '/s/${storeId}/i/${itemId}/${requestId}/${seq}/${uuid}', weight: 1 },
          shadowed: { method: 'GET', path: '/s/${storeId}/${itemId}', weight: 1, vars: { storeId: { kind: 'pick', from: ['a b/c'] } } },
        },
      }),
    );
    const s = createCallSource(compiled, { runId: 'r.1_x' });
    const paths = Array.from({ length: 20 }, (_, seq) => s.make(seq)).map((c) => [c.name, c.path] as const);
    const own = paths.filter(([name]) => name === 'own').map(([, p]) => p);
    const shadowed = paths.filter(([name]) => name === 'shadowed').map(([, p]) => p);
    expect(own.length).toBeGreaterThan(0);
    expect(shadowed.length).toBeGreaterThan(0);
    for (const p of own) expect(p).toMatch(/^\/s\/store-\d{5}\/i\/sku-\d{8}\/r\.1_x-\d+\/\d+\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    for (const p of own) expect(decodeURIComponent(p)).toBe(p);
    for (const p of shadowed) expect(p).toMatch(/^\/s\/a%20b%2Fc\/sku-\d{8}$/);
  });
});
