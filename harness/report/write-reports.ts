// Renders every report of one run from its record: results.json (machines), summary.md (CI pages),
// junit.xml (CI test views), report.html + charts/*.png (people). The record is redacted first.
import { appendFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RunRecord } from '../run-record.ts';
import { renderJunitXml } from './junit-xml.ts';
import { redactRecord } from './redact-record.ts';
import { renderReportHtml } from './report-html.ts';
import { renderCharts, runChartSpecs, type RenderedChart } from './run-charts.ts';
import { renderSummaryMarkdown } from './summary-markdown.ts';
import { writeFileAtomic } from './write-file-atomic.ts';

export { parseRunRecord, readRunRecord, RecordError } from './read-run-record.ts';

export interface WriteReportsOptions {
  /** Render charts (PNG files and HTML images). Default true. */
  charts?: boolean;
  /** Append summary.md here; default $GITHUB_STEP_SUMMARY when set. false to skip. */
  githubStepSummary?: string | false;
  /** Extra strings to redact verbatim (passwords known to the caller). */
  secrets?: string[];
  /** Called with each chart's render time, e.g. for a --verbose log. */
  log?: (line: string) => void;
}

/** Writes the reports into outDir (created if needed) and returns the absolute paths written. */
export async function writeReports(record: RunRecord, outDir: string, opts: WriteReportsOptions = {}): Promise<string[]> {
  const dir = resolve(outDir);
  const safe = redactRecord(record, opts.secrets);
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  const put = async (name: string, data: string | Buffer): Promise<void> => {
    const path = join(dir, name);
    await writeFileAtomic(path, data);
    written.push(path);
  };

  await put('results.json', `${JSON.stringify(safe, null, 2)}\n`);
  const summary = renderSummaryMarkdown(safe);
  await put('summary.md', summary);
  await put('junit.xml', renderJunitXml(safe));

  let charts: RenderedChart[] = [];
  if (opts.charts !== false) {
    charts = await renderCharts(runChartSpecs(safe));
    // Without canvas the charts are inline SVG in report.html: no charts/ directory then.
    if (charts.some((c) => c.png)) await mkdir(join(dir, 'charts'), { recursive: true });
    for (const chart of charts) {
      if (chart.png) await put(join('charts', chart.file), chart.png);
      opts.log?.(`chart ${chart.file} rendered in ${chart.renderMs.toFixed(0)} ms`);
    }
  }
  await put('report.html', renderReportHtml(safe, charts));

  const stepSummary = opts.githubStepSummary ?? process.env['GITHUB_STEP_SUMMARY'];
  if (stepSummary) await appendFile(stepSummary, `${summary}\n`);
  return written;
}
