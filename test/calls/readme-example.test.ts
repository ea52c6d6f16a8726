import { describe, expect, it } from 'vitest';
import { createCallSource } from '../../scenarios/calls/call-source.ts';
import { loadScenario } from '../../scenarios/index.ts';
import { resolveSchedule } from '../../scenarios/schedule.ts';
import { readmeExample } from './readme-example.ts';

describe("the README's own-API scenario", () => {
  it('is under 30 lines, loads as written, and sends the calls it describes', async () => {
    const { text, file } = readmeExample();
    expect(text.trimEnd().split('\n').length).toBeLessThan(30);
    const scenario = await loadScenario(file);
    const schedule = resolveSchedule(scenario, { durationSec: 9 });
    expect(schedule.phases.map((p) => p.name)).toContain('peak-1');
    const call = createCallSource(schedule, { runId: 'r', env: { CLIENT_SECRET: 's' }, setup: { access_token: 'abc' } }).make(0);
    expect(call).toMatchObject({ name: 'product-post', method: 'POST', headers: { Authorization: 'Bearer abc', 'X-Request-Id': 'r-0' } });
    expect(call.path).toMatch(/^\/v2\/tenants\/(acme|globex|initech)\/products$/);
    expect(Object.keys(JSON.parse(String(call.body)) as object)).toEqual(['sku', 'price', 'updatedAt']);
  });
});
