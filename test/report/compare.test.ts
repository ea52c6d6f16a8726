import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLORS, RUN_COLORS } from '../../harness/report/chart-common.ts';
import { compareChartSpecs } from '../../harness/report/compare-charts.ts';
import { writeComparison } from '../../harness/report/compare.ts';
import { makeHostileRecord, makeLeakyRecord, makePassingRecord } from '../fixtures/run-records.ts';
import { decodePng, rowsWithColor } from './png.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rushgate-compare-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const incident = () => [
  { label: 'leaky (the incident)', record: makeLeakyRecord() },
  { label: 'shared (the fix)', record: makePassingRecord() },
];

describe('writeComparison', () => {
  it('writes compare.html, compare.md and the overlay charts', async () => {
    const out = join(dir, 'incident');
    const files = await writeComparison(incident(), out);
    expect(files.map((f) => f.slice(out.length + 1)).sort()).toEqual([
      'charts/compare-channels.png',
      'charts/compare-connections.png',
      'charts/compare-errors.png',
      'charts/compare-latency.png',
      'compare.html',
      'compare.md',
    ]);
    const md = await readFile(join(out, 'compare.md'), 'utf8');
    expect(md).toContain('| | leaky (the incident) | shared (the fix) |');
    expect(md).toContain('| Connections baseline → peak → final | 2 → 409 → 409 | 2 → 2 → 2 |');
    expect(md).toContain('![Broker connections, run against run](charts/compare-connections.png)');
    expect(md).toContain('## ❌ leaky (the incident): FAILED');
    expect(md).toContain('## ✅ shared (the fix): PASSED');
    const html = await readFile(join(out, 'compare.html'), 'utf8');
    expect(html).toContain('id="verdict-1"');
    expect(html).toContain('id="verdict-2"');
    expect(html.match(/<img src="data:image\/png;base64,/g)).toHaveLength(4);
  });

  it('overlays both runs on one connections chart with the same axes, the leak to the cap and the fix flat', async () => {
    const [connections] = compareChartSpecs(incident());
    const datasets = connections!.config.data.datasets;
    expect(datasets.map((d) => d.label)).toEqual([
      'leaky (the incident): broker connections',
      'shared (the fix): broker connections',
      'offered load (scheduled req/s, right axis)',
    ]);
    expect((datasets[0] as { yAxisID?: string }).yAxisID).toBe((datasets[1] as { yAxisID?: string }).yAxisID);
    const png = decodePng(await readFile(join(dir, 'incident', 'charts', 'compare-connections.png')));
    const plotTop = 85;
    const leaky = rowsWithColor(png, RUN_COLORS[0], plotTop);
    const shared = rowsWithColor(png, RUN_COLORS[1], plotTop);
    expect(leaky.length).toBeGreaterThan(150);
    expect(shared.length).toBeLessThan(6);
    // connection_max is drawn as its own line, so the cap is visible on the page.
    expect(rowsWithColor(png, COLORS.connectionMax, plotTop).length).toBeGreaterThan(0);
  });

  it('escapes labels and redacts secrets from every run', async () => {
    const out = join(dir, 'hostile');
    const files = await writeComparison([{ label: '<i>before</i>', record: makeHostileRecord() }, { label: 'after | fixed', record: makePassingRecord() }], out, { charts: false });
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      expect(text).not.toContain('hunter2-secret');
      expect(text).not.toContain('<i>before</i>');
    }
    expect(await readFile(join(out, 'compare.md'), 'utf8')).toContain('| | &lt;i>before&lt;/i> | after \\| fixed |');
  });
});
