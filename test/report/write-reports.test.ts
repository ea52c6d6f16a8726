import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunRecord, RecordError, writeReports } from '../../harness/report/write-reports.ts';
import { canvasAvailable } from '../../harness/report/chart-canvas.ts';
import { makeHostileRecord, makeLeakyRecord, makePassingRecord } from '../fixtures/run-records.ts';
import { decodePng } from './png.ts';

// canvas is optional and loaded on first use: load it with the file, not inside the first test's time.
await canvasAvailable();

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rushgate-report-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeReports', () => {
  it('writes results.json, summary.md, junit.xml, report.html and the chart PNGs, and returns their paths', async () => {
    const out = join(dir, 'leaky');
    const files = await writeReports(makeLeakyRecord(), out, { githubStepSummary: false });
    const names = files.map((f) => f.slice(out.length + 1)).sort();
    expect(names).toEqual([
      'charts/churn.png',
      'charts/connections.png',
      'charts/dropped.png',
      'charts/latency.png',
      'charts/status.png',
      'junit.xml',
      'report.html',
      'results.json',
      'summary.md',
    ]);
    expect(decodePng(await readFile(join(out, 'charts', 'connections.png'))).width).toBe(1200);
    // No temp files left behind by the atomic writes.
    expect((await readdir(out)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('round-trips: results.json reads back as the same record and re-renders the same summary', async () => {
    const record = makeLeakyRecord({ fault: true, integrity: true });
    const first = join(dir, 'first');
    await writeReports(record, first, { githubStepSummary: false, charts: false });
    const reread = await readRunRecord(join(first, 'results.json'));
    expect(reread).toEqual(record);
    const second = join(dir, 'second');
    await writeReports(reread, second, { githubStepSummary: false, charts: false });
    expect(await readFile(join(second, 'summary.md'), 'utf8')).toBe(await readFile(join(first, 'summary.md'), 'utf8'));
  });

  it('appends summary.md to $GITHUB_STEP_SUMMARY when it is set', async () => {
    const stepSummary = join(dir, 'step-summary.md');
    await writeFile(stepSummary, '# earlier step\n');
    const previous = process.env['GITHUB_STEP_SUMMARY'];
    process.env['GITHUB_STEP_SUMMARY'] = stepSummary;
    try {
      await writeReports(makeLeakyRecord(), join(dir, 'ci'), { charts: false });
    } finally {
      if (previous === undefined) delete process.env['GITHUB_STEP_SUMMARY'];
      else process.env['GITHUB_STEP_SUMMARY'] = previous;
    }
    const text = await readFile(stepSummary, 'utf8');
    expect(text.startsWith('# earlier step\n## ❌ rushgate FAILED — eu-morning')).toBe(true);
  });

  it('renders a run aborted early, and a run that recorded no samples at all, without throwing', async () => {
    const aborted = makeLeakyRecord();
    aborted.verdict.aborted = { t: 18, rule: 'connections.ceiling', reason: 'peak 409 > allowance 4' };
    aborted.events.push({ t: 18, kind: 'abort', message: 'connections.ceiling failed' });
    const out = join(dir, 'aborted');
    await writeReports(aborted, out, { githubStepSummary: false });
    expect(await readFile(join(out, 'summary.md'), 'utf8')).toContain('> **Load stopped early** at 18 s: rule `connections.ceiling` had certainly failed — peak 409 > allowance 4');
    expect(await readFile(join(out, 'junit.xml'), 'utf8')).toContain('load stopped early at 18 s: peak 409 &gt; allowance 4');

    const empty = makePassingRecord();
    empty.load = [];
    empty.broker = [];
    empty.events = [];
    const files = await writeReports(empty, join(dir, 'empty'), { githubStepSummary: false });
    expect(files).toHaveLength(9);
  });

  it('never writes credentials: URLs with userinfo are redacted in every file', async () => {
    const out = join(dir, 'hostile');
    const files = await writeReports(makeHostileRecord(), out, { githubStepSummary: false, secrets: ['mgmt-secret'] });
    for (const file of files.filter((f) => !f.endsWith('.png'))) {
      const text = await readFile(file, 'utf8');
      expect(text, file).not.toContain('hunter2-secret');
      expect(text, file).not.toContain('mgmt-secret');
    }
    const saved = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(saved.target.command).toBe('AMQP_URL=amqp://***@127.0.0.1:5672/%2f node service.js');
    expect(saved.target.url).toBe('http://***@127.0.0.1:15672/');
  });
});

describe('readRunRecord', () => {
  const save = async (name: string, content: string) => {
    const path = join(dir, name);
    await writeFile(path, content);
    return path;
  };

  it('refuses another schema version, naming both versions and what to do', async () => {
    const record = { ...makeLeakyRecord(), schemaVersion: 2, tool: { name: 'rushgate', version: '9.0.0' } };
    const path = await save('v2.json', JSON.stringify(record));
    const err = await readRunRecord(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecordError);
    expect((err as Error).name).toBe('RecordError');
    expect((err as Error).message).toBe(
      `${path}: schemaVersion is 2 by rushgate 9.0.0, but this rushgate reads schemaVersion 1. Re-render it with the rushgate version that wrote it, or re-run the scenario.`,
    );
  });

  it('names the field that is wrong', async () => {
    const record = makeLeakyRecord() as unknown as { verdict: { rules: Array<Record<string, unknown>> } };
    record.verdict.rules[2]!['passed'] = 'yes';
    const path = await save('bad-field.json', JSON.stringify(record));
    await expect(readRunRecord(path)).rejects.toThrow(/verdict\.rules\[2\]\.passed: .*expected boolean/i);
  });

  it('explains missing files, broken JSON and files that are not run records', async () => {
    await expect(readRunRecord(join(dir, 'nope.json'))).rejects.toThrow(/no such file\. Pass the results\.json a run wrote/);
    await expect(readRunRecord(await save('cut.json', '{"schemaVersion": 1, "load": ['))).rejects.toThrow(/not valid JSON .*interrupted/);
    await expect(readRunRecord(await save('other.json', '{"name": "package"}'))).rejects.toThrow(/no schemaVersion field, so it is not a rushgate results\.json/);
    await expect(readRunRecord(await save('array.json', '[]'))).rejects.toThrow(/expected a JSON object .* found an array/);
  });

  it('keeps fields a newer rushgate of the same schema version added', async () => {
    const record = { ...makeLeakyRecord(), verify: { lost: 0 } };
    const path = await save('extra.json', JSON.stringify(record));
    expect(await readRunRecord(path)).toMatchObject({ verify: { lost: 0 } });
  });
});
