// How reports show what the broker observation found: gaps in sampling and units/connections by name.
import { describe, expect, it } from 'vitest';
import { connectionsChart } from '../../harness/report/run-charts.ts';
import { renderReportHtml } from '../../harness/report/report-html.ts';
import { renderSummaryMarkdown } from '../../harness/report/summary-markdown.ts';
import { describeTarget } from '../../harness/report/run-view.ts';
import { formatVerdictLines } from '../../harness/run/print-verdict.ts';
import { unitsText } from '../../harness/report/sampling-view.ts';
import type { RunRecord } from '../../harness/run-record.ts';
import { makeLeakyRecord } from '../fixtures/run-records.ts';

function observed(): RunRecord {
  const record = makeLeakyRecord();
  record.sampling = { intervalMs: 250, samples: 90, expected: 200, gaps: [{ from: 20.5, to: 28.7, seconds: 8.2, reason: 'the broker took 8.2 s to answer a scrape' }] };
  record.attribution = {
    units: 1,
    unitsSource: 'processes',
    declaredUnits: 2,
    connections: [
      { name: 'ingest-unit-1#*', unit: 'pid 4242 (node)', baseline: 0, peak: 1588, end: 1201 },
      { name: 'ingest-consumer', unit: 'pid 4242 (node)', baseline: 1, peak: 1, end: 1 },
    ],
  };
  return record;
}

describe('sampling and attribution in reports', () => {
  it('says measured units in the header, and declared ones when they differ', () => {
    const record = observed();
    expect(unitsText(record)).toBe('1 unit measured, 2 declared');
    expect(describeTarget(record)).toContain('1 unit measured, 2 declared');
    record.attribution!.units = 2;
    expect(unitsText(record)).toBe('2 units');
    delete record.attribution;
    expect(unitsText(record)).toBe('2 units');
  });

  it('lists the gaps and the named connections in summary.md', () => {
    const md = renderSummaryMarkdown(observed());
    expect(md).toContain('| Broker samples | 90 of 200 samples due every 250 ms; 1 gap (8.2 s without samples) |');
    expect(md).toContain('| 20.5–28.7 s | 8.2 s | the broker took 8.2 s to answer a scrape |');
    expect(md).toContain('1 unit: target processes that held broker connections during the load (--units 2).');
    expect(md).toContain('| ingest-unit-1\\#\\* | pid 4242 (node) | 0 | 1,588 | 1,201 |');
  });

  it('lists them in report.html too, and leaves both out of a record that has neither', () => {
    const html = renderReportHtml(observed(), []);
    expect(html).toContain('<td>20.5–28.7 s</td><td class="num">8.2 s</td>');
    expect(html).toMatch(/<td>ingest-consumer<\/td><td>pid 4242 \(node\)<\/td><td class="num">1<\/td>/);
    const plain = renderReportHtml(makeLeakyRecord(), []);
    expect(plain).not.toContain('sampling-gaps');
    expect(plain).not.toContain('connections-by-name');
  });

  it('shades the gap on the connections chart and breaks its lines there', () => {
    const spec = connectionsChart(observed());
    const datasets = spec.config.data.datasets as Array<{ label?: string; data: Array<{ x: number; y: number | null }> }>;
    const line = datasets.find((d) => d.label === 'broker connections (target)')!;
    expect(line.data.some((p) => p.y === null && p.x > 20.5 && p.x < 28.7)).toBe(true);
    expect(JSON.stringify(spec.config.options?.plugins)).toContain('grey: no broker samples');
  });

  it('prints the measured units in the CLI verdict header', async () => {
    const { printVerdict } = await import('../../harness/run/print-verdict.ts');
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => (out.push(chunk), true)) as typeof process.stdout.write;
    try {
      printVerdict(observed(), [], { quiet: true });
    } finally {
      process.stdout.write = write;
    }
    expect(out.join('')).toContain('(1 unit measured, 2 declared)');
    expect(formatVerdictLines(observed()).length).toBeGreaterThan(0);
  });
});
