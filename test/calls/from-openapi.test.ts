import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scenarioFromOpenApi } from '../../scenarios/calls/from-openapi.ts';
import { createCallSource } from '../../scenarios/calls/call-source.ts';
import { loadScenario } from '../../scenarios/index.ts';
import { resolveSchedule } from '../../scenarios/schedule.ts';

const spec = new URL('./openapi/inventory.yaml', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'rushgate-openapi-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scenario new --from-openapi', () => {
  it('writes one call per POST/PUT/PATCH with path vars, bodies from examples or schemas, the eu-morning timeline', async () => {
    const { text, calls } = await scenarioFromOpenApi(spec);
    expect(calls).toEqual(['post-stock-change', 'put-price', 'patch-label-status']);
    const file = join(dir, 'inventory.ts');
    writeFileSync(file, text);
    const scenario = await loadScenario(file);
    expect(scenario.requestIdHeader).toBe('X-Correlation-Id');
    expect(scenario.phases.map((p) => p.name)).toContain('peak-2');
    const source = createCallSource(resolveSchedule(scenario), { runId: 'r', env: { API_TOKEN: 't' } });
    const byName = new Map<string, ReturnType<typeof source.make>>();
    for (let seq = 0; byName.size < 3 && seq < 100; seq++) byName.set(source.nameOf(seq), source.make(seq));
    const stock = byName.get('post-stock-change')!;
    expect(stock.path).toMatch(/^\/v1\/warehouses\/(ber-1|ham-2|muc-3)\/stock$/);
    expect(stock.headers).toMatchObject({ Authorization: 'Bearer t', 'X-Correlation-Id': expect.stringMatching(/^r-\d+$/) });
    const body = JSON.parse(String(stock.body)) as { quantity: number; changedAt: string };
    expect(Number.isInteger(body.quantity)).toBe(true);
    expect(Date.parse(body.changedAt)).not.toBeNaN();
    expect(JSON.parse(String(byName.get('put-price')!.body))).toEqual({ currency: 'EUR', amount: 2.49 });
    expect(byName.get('patch-label-status')!).toMatchObject({ method: 'PATCH', body: 'status=printed', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  });

  it('refuses an invalid document with the parser\'s reasons', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ openapi: '3.0.3', info: { title: 'x' }, paths: { '/a': { post: { responses: {} } } } }));
    await expect(scenarioFromOpenApi(file)).rejects.toThrow(/is not a valid OpenAPI document/);
  });
});
