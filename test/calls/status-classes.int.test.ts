// Status classes against the gate (issue 17): answers the scenario did not expect fail errors.rate, a
// run whose calls are mostly refused is not a valid test, and shedding the scenario declares is not a
// failure. One broker for the file; each run is a few seconds of load.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReports } from '../../harness/report/write-reports.ts';
import { buildTargets, failedRules, runLadder, sharedBroker, targetCommand } from '../gate/run-helpers.ts';

const answering = (mode: string) => `env ANSWERS=${mode} ${targetCommand('status-answers')}`;

describe('status classes and the validity check', () => {
  const broker = sharedBroker();
  buildTargets(['status-answers']);

  it('a target answering 404 to every route is not a valid test, named by call, status and route', async () => {
    const { record, lines, log } = await runLadder({ broker: broker(), targetCommand: answering('not-found'), durationSec: 5, peakRps: 40 });
    expect(record.verdict.passed).toBe(false);
    expect(record.validity).toMatchObject({ valid: false, configMistake: true });
    expect(record.verdict.rules[0]!.name).toBe('run.validity');
    expect(lines).toContain('every item-put answered 404: does the service serve PUT /api/v1/stores/:storeId/items/:itemId?');
    expect(lines).toContain('The service said: {"error":"unknown route"');
    // The first answers are logged as they happen, not only in the report.
    expect(log.some((l) => l.startsWith('first answers: ') && l.includes('404') && l.includes('unknown route')), log.join('\n')).toBe(true);
    expect(record.summary.classes).toMatchObject({ accepted: 0, failed: record.summary.requests });
    const out = mkdtempSync(join(tmpdir(), 'rushgate-classes-'));
    try {
      await writeReports(record, out, { githubStepSummary: false });
      const summary = readFileSync(join(out, 'summary.md'), 'utf8');
      expect(summary).toContain('First non-2xx answers');
      expect(summary).toMatch(/\| `item-put` \| PUT \/api\/v1\/stores\/\$\{storeId\}\/items\/\$\{itemId\} \| \d+/);
      expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toContain('name="run.validity"');
      expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('id="first-errors"');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);

  it('a target answering 400 to one call in ten fails errors.rate with the 400s counted', async () => {
    const { record, rule, lines } = await runLadder({ broker: broker(), targetCommand: answering('some-400'), durationSec: 6, peakRps: 60 });
    expect(record.validity?.valid, lines).toBe(true);
    const errors = rule('errors.rate');
    expect(errors.passed, lines).toBe(false);
    const fourHundreds = record.summary.status['400'] ?? 0;
    expect(fourHundreds).toBeGreaterThan(0);
    expect(errors.message).toContain(`answered an unexpected 4xx (400 ${fourHundreds.toLocaleString('en-US')})`);
    expect(record.summary.classes?.failed).toBe(fourHundreds);
    expect(record.firstErrors?.[0]).toMatchObject({ status: 400, body: '{"error":"invalid field price"}' });
  }, 60_000);

  it('429 + Retry-After during a fault, declared as shedding, passes and shows as refused by design', async () => {
    const { record, lines: verdict, log } = await runLadder({
      broker: broker(),
      scenario: new URL('./scenarios/shed-429.ts', import.meta.url).pathname,
      targetCommand: answering('shed-429'),
      durationSec: undefined,
      peakRps: undefined,
      // What this test judges is how the 429s are classified; the alarm's revert goes through rabbitmqctl,
      // which takes seconds on a loaded machine, so recovery gets room.
      limits: { args: ['latency.p99<8s', 'chaos.recovery<=20s'] },
    });
    const lines = `${verdict}\n${log.join('\n')}`;
    const refused = record.calls?.['item-put']?.classes.refused ?? 0;
    expect(record.summary.status['429'], lines).toBeGreaterThan(0);
    expect(refused, lines).toBeGreaterThan(0);
    expect(failedRules(record), lines).toEqual([]);
    expect(record.summary.classes?.refused).toBe(refused);
  }, 60_000);
});
