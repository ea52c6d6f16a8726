import { describe, expect, it } from 'vitest';
import { renderSummaryMarkdown } from '../../harness/report/summary-markdown.ts';
import { makeHostileRecord, makeLeakyRecord, makePassingRecord } from '../fixtures/run-records.ts';

describe('summary.md', () => {
  it('leads with the verdict, scenario, target, publisher and units', () => {
    const md = renderSummaryMarkdown(makeLeakyRecord());
    const [title, , headline] = md.split('\n');
    expect(title).toBe('## ❌ rushgate FAILED — eu-morning');
    expect(headline).toContain('**Gate FAILED.** 7 of 8 rules failed.');
    expect(headline).toContain('publisher leaky, 2 units');
    expect(headline).toContain('connection_max 400');
  });

  it('has one verdict table row per rule with limit, measured value, result and sentence', () => {
    const record = makeLeakyRecord();
    const md = renderSummaryMarkdown(record);
    expect(md).toContain('| Rule | Limit | Measured | Result | What it means |');
    const rows = md.split('\n').filter((l) => /^\| `[a-z]+\.[a-z0-9]+` \|/.test(l));
    expect(rows).toHaveLength(record.verdict.rules.length);
    expect(rows[0]).toBe(
      '| `connections.ceiling` | peak <= baseline + 1/unit (2 + 2) | 409 peak | ❌ **fail** | Broker connections peaked at 409, far above the 4 allowed for 2 units: the service opens connections it does not reuse. |',
    );
    expect(rows.filter((r) => r.includes('✅ ok'))).toHaveLength(1);
  });

  it('quotes the key numbers from the summary', () => {
    const record = makeLeakyRecord();
    const md = renderSummaryMarkdown(record);
    const s = record.summary;
    expect(md).toContain(`| Requests | ${s.requests.toLocaleString('en-US')} sent of ${s.scheduled.toLocaleString('en-US')} scheduled`);
    expect(md).toContain(`| Status codes | 200: ${s.status['200']} · 503: ${s.status['503']} |`);
    expect(md).toContain(`| Dropped | ${s.dropped} (`);
    expect(md).toContain('| Broker connections | baseline 2 → peak 409 → final 409 |');
    expect(md).toContain('| connection_max | 400 |');
    expect(md).toMatch(/\| Latency \| p50 [\d,.]+ ms · p90 [\d,.]+ ms · p99 5,0\d\d ms/);
  });

  it('has a per-phase table with the connections at the end of each phase', () => {
    const md = renderSummaryMarkdown(makeLeakyRecord());
    expect(md).toContain('| Phase | Clock | Offered req/s | Achieved req/s | 5xx | No response | Dropped | Connections at end |');
    // Connections climb with the cumulative requests and are capped from the first peak on.
    expect(md).toMatch(/\| early \| 07:00 \| 8 \| 8 \| 0 \| 0 \| 0 \| 82 \|/);
    expect(md).toMatch(/\| \*\*peak-1\*\* \| 07:45 \| 60 \| [\d.]+ \| \d+ \| \d+ \| 123 \| 409 \|/);
    expect(md).toMatch(/\| ramp-up \| 07:30 \| 8 → 60 \|/);
  });

  it('shows the reconciliation tap: lost 2xx, refused requests that were published anyway, events left waiting', () => {
    const md = renderSummaryMarkdown(makeLeakyRecord({ integrity: true }));
    expect(md).toContain('### Integrity');
    expect(md).toContain('| Acknowledged but lost | 0 of 407 2xx never reached the broker |');
    expect(md).toContain('| Refused but published | 12 requests answered with an error (or not at all) were published anyway (5xx: 9 · timeout: 3) |');
    expect(md).toContain('| Traceability (worker) | 419 accepted, 382 processed, 37 left waiting |');
    expect(renderSummaryMarkdown(makeLeakyRecord())).not.toContain('### Integrity');
  });

  it('says PASSED and shows flat connections for the fixed service', () => {
    const md = renderSummaryMarkdown(makePassingRecord());
    expect(md.split('\n')[0]).toBe('## ✅ rushgate PASSED — eu-morning');
    expect(md).toContain('All 8 rules passed.');
    expect(md).toContain('| Broker connections | baseline 2 → peak 2 → final 2 |');
    expect(md).toContain('| connection_max | not set |');
    expect(md).not.toContain('❌');
  });

  it('keeps hostile strings from breaking the tables or injecting HTML', () => {
    const md = renderSummaryMarkdown(makeHostileRecord());
    expect(md).not.toContain('<script>');
    expect(md).not.toContain('<b>bold</b>');
    const row = md.split('\n').find((l) => l.includes('injected'))!;
    // Every pipe inside the cell is escaped, so the row still has exactly 6 unescaped separators.
    expect(row.match(/(?<!\\)\|/g)).toHaveLength(6);
    expect(row).toContain('&lt;b>bold&lt;/b>');
  });
});
