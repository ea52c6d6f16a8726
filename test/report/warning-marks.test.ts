// A warning finding (e.g. refused requests that were published anyway) reads `warn:` in every report and
// never fails: JUnit keeps it a passing test case whose system-out says warn:.
import { parse } from 'junit2json';
import { describe, expect, it } from 'vitest';
import { verdictTableHtml } from '../../harness/report/html-parts.ts';
import { renderJunitXml } from '../../harness/report/junit-xml.ts';
import { verdictLine } from '../../harness/report/run-view.ts';
import { verdictTable } from '../../harness/report/summary-markdown.ts';
import { formatVerdictLines } from '../../harness/run/print-verdict.ts';
import { makePassingRecord } from '../fixtures/run-records.ts';

function withWarning() {
  const record = makePassingRecord();
  record.verdict.rules.push({
    name: 'integrity.refused-published',
    passed: true,
    warning: true,
    limit: 'shown, no limit',
    value: '3 (5xx: 3)',
    message: '3 requests were refused or unanswered yet still reached the broker.',
  });
  return record;
}

describe('warnings', () => {
  it('print warn: in the CLI lines and do not change the verdict', () => {
    const record = withWarning();
    const lines = formatVerdictLines(record);
    expect(lines.filter((l) => l.startsWith('warn:'))).toEqual([`warn: ${'integrity.refused-published'.padEnd(28)} 3 requests were refused or unanswered yet still reached the broker.`]);
    expect(lines.filter((l) => l.startsWith('ok:')).length).toBe(record.verdict.rules.length - 1);
    expect(verdictLine(record)).toBe(`All ${record.verdict.rules.length} rules passed, 1 with a warning.`);
  });

  it('read warn in summary.md and the HTML verdict table', () => {
    const row = verdictTable(withWarning()).find((r) => r.includes('integrity.refused-published'))!;
    expect(row).toContain('| ⚠️ warn |');
    const html = verdictTableHtml(withWarning());
    expect(html).toMatch(/<tr class="warn">\s*<td class="rule"><code>integrity\.refused-published<\/code>[\s\S]*?<td class="result">! warn<\/td>/);
  });

  it('are passing JUnit test cases whose system-out says warn:', async () => {
    const parsed = await parse(renderJunitXml(withWarning()));
    expect(parsed).toMatchObject({ failures: 0 });
    const suite = (parsed as { testsuite: Array<{ testcase: Array<{ name: string; failure?: unknown; 'system-out'?: string[] }> }> }).testsuite[0]!;
    const c = suite.testcase.find((t) => t.name === 'integrity.refused-published')!;
    expect(c.failure).toBeUndefined();
    expect(c['system-out']![0]).toMatch(/^warn: 3 requests were refused/);
  });
});
