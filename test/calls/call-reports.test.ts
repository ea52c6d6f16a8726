import { describe, expect, it } from 'vitest';
import { renderReportHtml } from '../../harness/report/report-html.ts';
import { renderCharts, runChartSpecs } from '../../harness/report/run-charts.ts';
import { renderSummaryMarkdown } from '../../harness/report/summary-markdown.ts';
import type { RunRecord } from '../../harness/run-record.ts';
import { makePassingRecord } from '../fixtures/run-records.ts';

function withCalls(): RunRecord {
  const record = makePassingRecord();
  const call = (p99: number, status: Record<string, number>) => ({
    method: 'POST', path: '/v2/tenants/${tenant}/products', sent: 100, dropped: 2, status, errors: { timeout: 1 },
    classes: { accepted: status['201'] ?? 0, refused: status['409'] ?? 0, failed: 0, noAnswer: 1 }, fourXx: status['409'] ?? 0, fiveXx: 0,
    latency: { p50: 3, p90: 9, p99, max: p99 * 2 },
  });
  record.calls = { 'product-post': call(40, { '201': 90, '409': 9 }), 'stock-form': call(900, { '201': 99 }) };
  record.summary.classes = { accepted: 189, refused: 9, failed: 0, noAnswer: 2 };
  record.firstErrors = [{ t: 0.4, call: 'product-post', status: 409, body: '{"error":"duplicate"}' }];
  return record;
}

describe('per-call reports', () => {
  it('summary.md and report.html have a row per call, the classes and the first non-2xx answers', () => {
    const record = withCalls();
    const md = renderSummaryMarkdown(record);
    expect(md).toMatch(/\| `product-post` \| POST \/v2\/tenants\/\$\{tenant\}\/products \| 100 \| 2 \| 90 \| 9 \| 0 \| 1 \| 201: 90 · 409: 9 · timeout: 1 \| 3 ms \/ 9 ms \/ 40 ms \/ 80 ms \|/);
    expect(md).toContain('189 accepted · 9 refused by design · 0 failed · 2 no answer');
    expect(md).toMatch(/\| 0\.4 s \| `product-post` \| 409 \| .*duplicate.* \|/);
    const html = renderReportHtml(record, []);
    expect(html).toContain('<table id="calls">');
    expect(html.match(/<tr><td><code>(product-post|stock-form)<\/code>/g)).toHaveLength(2);
  });

  it('draws latency by call, one group of bars per call', async () => {
    const specs = runChartSpecs(withCalls());
    const chart = specs.find((s) => s.id === 'calls-latency')!;
    expect((chart.config.data.labels as string[])).toEqual(['product-post (POST)', 'stock-form (POST)']);
    expect(chart.caption).toContain('slowest at p99 is stock-form');
    expect(runChartSpecs(makePassingRecord()).map((s) => s.id)).not.toContain('calls-latency');
    const [png] = await renderCharts([chart]);
    expect(png!.png?.length ?? png!.svg?.length ?? 0).toBeGreaterThan(1000);
  }, 30_000);
});
