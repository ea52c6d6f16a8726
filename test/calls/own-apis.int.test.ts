// User scenarios against services whose APIs are not the reference contract (issue 13): a bearer token
// from a setup call, the request id inside the JSON body, a form-encoded endpoint. Each run is the
// eu-morning shape compressed into a few seconds, reconciled against the broker with --verify-exchange.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReports } from '../../harness/report/write-reports.ts';
import type { RunRecord } from '../../harness/run-record.ts';
import { EXCHANGE } from '../targets/contract-server.ts';
import { buildTargets, failedRules, runLadder, sharedBroker, targetCommand } from '../gate/run-helpers.ts';
import { readmeExample } from './readme-example.ts';
import { writeFileSync } from 'node:fs';
import { scenarioFromOpenApi } from '../../scenarios/calls/from-openapi.ts';

const api = (name: string, env = '') => `env API=${name} ${env} ${targetCommand('other-apis')}`;
const scenarioFile = (name: string) => new URL(`./scenarios/${name}`, import.meta.url).pathname;

/** Every 2xx reached the broker under the id the scenario put where the API takes it. */
function expectReconciled(record: RunRecord, lines: string): void {
  const i = record.integrity!;
  expect(i, lines).toBeDefined();
  expect(i.acknowledged, lines).toBeGreaterThan(0);
  expect(i.acknowledgedButLost.count, lines).toBe(0);
  expect(i.arrived, lines).toBe(i.acknowledged);
  expect(i.foreign.count, lines).toBe(0);
}

describe('scenarios for other APIs', () => {
  const broker = sharedBroker();
  buildTargets(['other-apis', 'inventory-api']);

  it("the README's scenario: POST /v2/tenants/:tenant/products with a bearer token from a setup call", async () => {
    const secret = 'client-secret-7f3a9c';
    process.env.CLIENT_SECRET = secret;
    try {
      const { file } = readmeExample();
      const { record, lines, log } = await runLadder({
        broker: broker(),
        scenario: file,
        durationSec: 8,
        peakRps: 60,
        targetCommand: api('tenants', `CLIENT_SECRET=${secret}`),
        verifyExchange: EXCHANGE,
        limits: { args: ['latency.p99<8s', 'latency.p99[product-post]<8s'] },
      });
      expect(failedRules(record), lines).toEqual([]);
      expectReconciled(record, lines);
      const c = record.calls!['product-post']!;
      expect(c.sent).toBe(record.summary.requests);
      expect(c.classes.accepted).toBe(c.sent);
      expect(c.status['201']).toBe(c.sent);
      expect(c.latency.p99).toBeGreaterThan(0);
      expect(lines).toContain('latency.p99[product-post]');
      // The secret went into the target's command line and the setup form: no output may show it.
      const out = mkdtempSync(join(tmpdir(), 'rushgate-own-api-'));
      try {
        await writeReports(record, out, { githubStepSummary: false });
        for (const f of ['results.json', 'summary.md', 'junit.xml', 'report.html']) expect(readFileSync(join(out, f), 'utf8')).not.toContain(secret);
        expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/\| `product-post` \| POST \/v2\/tenants\/\$\{tenant\}\/products \|/);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
      expect(log.join('\n')).not.toContain(secret);
    } finally {
      delete process.env.CLIENT_SECRET;
    }
  }, 90_000);

  it('the request id inside the JSON body, no id header', async () => {
    const { record, lines } = await runLadder({
      broker: broker(),
      scenario: scenarioFile('body-id.json'),
      // Pass and reconciliation do not depend on the ladder's length: the 8 s the other runs here use.
      durationSec: 8,
      targetCommand: api('body-id'),
      verifyExchange: EXCHANGE,
    });
    expect(failedRules(record), lines).toEqual([]);
    expectReconciled(record, lines);
    expect(record.calls!['event-post']).toMatchObject({ method: 'POST', path: '/events', dropped: 0 });
    expect(record.calls!['event-post']!.status['202']).toBe(record.summary.requests);
  }, 90_000);

  it('a form-encoded endpoint, two calls (template and body function) counted apart', async () => {
    const { record, lines } = await runLadder({
      broker: broker(),
      scenario: scenarioFile('stock-form.ts'),
      // Pass and reconciliation do not depend on the ladder's length: the 8 s the other runs here use.
      durationSec: 8,
      targetCommand: api('form'),
      verifyExchange: EXCHANGE,
      limits: { args: ['latency.p99<8s', 'errors.rate[stock-low]<1%'] },
    });
    expect(failedRules(record), lines).toEqual([]);
    expectReconciled(record, lines);
    const set = record.calls!['stock-set']!;
    const low = record.calls!['stock-low']!;
    expect(set.sent + low.sent).toBe(record.summary.requests);
    expect(set.sent).toBeGreaterThan(low.sent);
    expect(low.status['200']).toBe(low.sent);
  }, 90_000);

  it('an OpenAPI round trip: the spec in the repo becomes a scenario that runs against its implementation with 0 4xx', async () => {
    const token = 'inventory-token-41b2';
    process.env.API_TOKEN = token;
    const dir = mkdtempSync(join(tmpdir(), 'rushgate-openapi-'));
    try {
      const { text, calls } = await scenarioFromOpenApi(new URL('./openapi/inventory.yaml', import.meta.url).pathname);
      expect(calls).toEqual(['post-stock-change', 'put-price', 'patch-label-status']);
      const file = join(dir, 'inventory.ts');
      writeFileSync(file, text);
      const { record, lines } = await runLadder({
        broker: broker(),
        scenario: file,
        durationSec: 8,
        peakRps: 60,
        targetCommand: `env API_TOKEN=${token} ${targetCommand('inventory-api')}`,
        verifyExchange: EXCHANGE,
      });
      const fourXx = Object.entries(record.summary.status).filter(([code]) => code.startsWith('4'));
      expect(fourXx, JSON.stringify(record.firstErrors)).toEqual([]);
      expect(failedRules(record), lines).toEqual([]);
      expectReconciled(record, lines);
      expect(Object.keys(record.calls!).sort()).toEqual([...calls].sort());
      for (const name of calls) expect(record.calls![name]!.classes.accepted, name).toBe(record.calls![name]!.sent);
    } finally {
      delete process.env.API_TOKEN;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
