import { describe, expect, it } from 'vitest';
import { renderReportHtml } from '../../harness/report/report-html.ts';
import { redactRecord } from '../../harness/report/redact-record.ts';
import { renderCharts, runChartSpecs } from '../../harness/report/run-charts.ts';
import { canvasAvailable } from '../../harness/report/chart-canvas.ts';
import { makeHostileRecord, makeLeakyRecord } from '../fixtures/run-records.ts';

// canvas is optional and loaded on first use: load it with the file, not inside the first test's time.
await canvasAvailable();

describe('report.html', () => {
  it('puts the verdict table first with one row per rule, then every chart as an embedded PNG', async () => {
    const record = makeLeakyRecord();
    const charts = await renderCharts(runChartSpecs(record));
    const html = renderReportHtml(record, charts);
    const verdictAt = html.indexOf('<table class="verdict" id="verdict">');
    expect(verdictAt).toBeGreaterThan(0);
    expect(verdictAt).toBeLessThan(html.indexOf('<section id="charts">'));
    const verdict = html.slice(verdictAt, html.indexOf('</table>', verdictAt));
    expect(verdict.match(/<tr class="fail">/g)).toHaveLength(7);
    expect(verdict.match(/<tr class="ok">/g)).toHaveLength(1);
    expect(verdict).toContain('<td>peak &lt;= baseline + 1/unit (2 + 2)</td><td class="num">409 peak</td>');
    const images = [...html.matchAll(/<img src="data:image\/png;base64,([A-Za-z0-9+/=]+)"/g)];
    expect(images).toHaveLength(5);
    expect(Buffer.from(images[0]![1]!, 'base64').equals(charts[0]!.png!)).toBe(true);
    expect(html).toContain('<figcaption>');
  });

  it('loads nothing from outside: no external URLs, no scripts, a CSP that forbids them', () => {
    const html = renderReportHtml(makeLeakyRecord(), []);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
    expect(html).not.toMatch(/<script|<link /i);
    expect(html).toContain(`content="default-src 'none'; img-src data:; style-src 'unsafe-inline'"`);
  });

  it('escapes every hostile string from the record', () => {
    const html = renderReportHtml(redactRecord(makeHostileRecord()), []);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<injected/>');
    expect(html).not.toContain('<b>bold</b>');
    expect(html).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &#39;morning&#39;');
    expect(html).toContain('<code>connections.ceiling&lt;evil&gt;</code>');
    expect(html).toContain('&lt;script&gt;document.title=&quot;x&quot;&lt;/script&gt;');
  });
});
