// Before/after report: runs of one scenario side by side (the incident command renders leaky vs shared),
// with their connections overlaid on the same axes and each run's own verdict table.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RunRecord } from '../run-record.ts';
import { CHART_HEIGHT, CHART_WIDTH } from './chart-canvas.ts';
import { compareChartSpecs, type LabelledRun } from './compare-charts.ts';
import { escapeHtml as e, escapeMarkdown, escapeMarkdownCell } from './escape.ts';
import { fmtInt, fmtMs, fmtPercent, fmtRate, statusClassTotal, sumValues } from './format.ts';
import { abortedHtml, badge, figureHtml, htmlPage, keyNumbersHtml, phaseTableHtml, verdictTableHtml } from './html-parts.ts';
import { redactRecord } from './redact-record.ts';
import { renderCharts, type RenderedChart } from './run-charts.ts';
import { connectionMax, describeTarget, verdictLine, verdictWord } from './run-view.ts';
import { verdictTable } from './summary-markdown.ts';
import { writeFileAtomic } from './write-file-atomic.ts';

export type { LabelledRun } from './compare-charts.ts';

export interface WriteComparisonOptions {
  /** Page title; default "rushgate comparison — <scenario>". */
  title?: string;
  charts?: boolean;
  secrets?: string[];
}

interface Row {
  label: string;
  values: string[];
}

function comparisonRows(runs: LabelledRun[]): Row[] {
  const row = (label: string, f: (r: RunRecord) => string): Row => ({ label, values: runs.map((run) => f(run.record)) });
  return [
    row('Verdict', (r) => `${verdictWord(r)} — ${verdictLine(r)}`),
    row('Target', (r) => describeTarget(r)),
    row('Requests sent', (r) => `${fmtInt(r.summary.requests)} of ${fmtInt(r.summary.scheduled)} (${fmtRate(r.summary.achievedRps)} req/s)`),
    row('5xx', (r) => `${fmtInt(statusClassTotal(r.summary.status, '5'))} (${fmtPercent(statusClassTotal(r.summary.status, '5'), r.summary.requests)})`),
    row('No response', (r) => fmtInt(sumValues(r.summary.errors))),
    row('Dropped', (r) => fmtInt(r.summary.dropped)),
    row('Latency p50 / p99', (r) => `${fmtMs(r.summary.latency.p50)} / ${fmtMs(r.summary.latency.p99)}`),
    row('Connections baseline → peak → final', (r) => `${fmtInt(r.summary.broker.baselineConnections)} → ${fmtInt(r.summary.broker.peakConnections)} → ${fmtInt(r.summary.broker.finalConnections)}`),
    row('Channels baseline → peak → final', (r) => `${fmtInt(r.summary.broker.baselineChannels)} → ${fmtInt(r.summary.broker.peakChannels)} → ${fmtInt(r.summary.broker.finalChannels)}`),
    row('Connections opened / closed', (r) => `${fmtInt(r.summary.broker.connectionsOpened)} / ${fmtInt(r.summary.broker.connectionsClosed)}`),
    row('connection_max', (r) => {
      const max = connectionMax(r);
      return max === undefined ? 'not set' : fmtInt(max);
    }),
  ];
}

export function renderComparisonMarkdown(runs: LabelledRun[], title: string, charts: RenderedChart[]): string {
  const lines = [`# ${escapeMarkdown(title)}`, ''];
  lines.push(runs.map((r) => `${r.record.verdict.passed ? '✅' : '❌'} **${escapeMarkdown(r.label)}**: ${verdictWord(r.record)}`).join(' · '), '');
  lines.push(`| | ${runs.map((r) => escapeMarkdownCell(r.label)).join(' | ')} |`, `|---|${runs.map(() => '---').join('|')}|`);
  for (const row of comparisonRows(runs)) lines.push(`| ${escapeMarkdownCell(row.label)} | ${row.values.map(escapeMarkdownCell).join(' | ')} |`);
  lines.push('');
  for (const chart of charts.filter((c) => c.png)) lines.push(`![${escapeMarkdown(chart.title)}](charts/${chart.file})`, '', `_${escapeMarkdown(chart.caption)}_`, '');
  for (const run of runs) {
    lines.push(`## ${run.record.verdict.passed ? '✅' : '❌'} ${escapeMarkdown(run.label)}: ${verdictWord(run.record)}`, '');
    lines.push(`${escapeMarkdown(verdictLine(run.record))} Target: ${escapeMarkdown(describeTarget(run.record))}.`, '');
    lines.push(...verdictTable(run.record), '');
  }
  return lines.join('\n');
}

export function renderComparisonHtml(runs: LabelledRun[], title: string, charts: RenderedChart[]): string {
  const header = `<tr><th></th>${runs.map((r) => `<th>${e(r.label)} ${badge(r.record)}</th>`).join('')}</tr>`;
  const rows = comparisonRows(runs).map((row) => `<tr><th scope="row">${e(row.label)}</th>${row.values.map((v) => `<td>${e(v)}</td>`).join('')}</tr>`);
  const perRun = runs
    .map(
      (run, i) => `<section class="run" id="run-${i + 1}">
<h2>${e(run.label)} ${badge(run.record)}</h2>
<p>${e(verdictLine(run.record))} Target: ${e(describeTarget(run.record))}.</p>
${abortedHtml(run.record)}
${verdictTableHtml(run.record, `verdict-${i + 1}`)}
<h3>Key numbers</h3>
${keyNumbersHtml(run.record, `key-numbers-${i + 1}`)}
<h3>Phases</h3>
${phaseTableHtml(run.record, `phases-${i + 1}`)}
</section>`,
    )
    .join('\n');
  const body = `<header>
<h1>${e(title)}</h1>
<p class="muted">${runs.map((r) => e(r.label)).join(' against ')}, same scenario and axes. Shaded red: incident peaks; shaded purple: injected faults.</p>
</header>
<section id="side-by-side">
<h2>Side by side</h2>
<table id="comparison">
<thead>${header}</thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</section>
<section id="charts">
<h2>Charts</h2>
${charts.map((c) => figureHtml(c, CHART_WIDTH, CHART_HEIGHT)).join('\n')}
</section>
${perRun}
<footer>Generated by rushgate from ${runs.length} results.json files; re-render with <code>rushgate compare a.json b.json</code>.</footer>`;
  return htmlPage(title, body);
}

/** Writes compare.html, compare.md and charts/compare-*.png into outDir; returns the absolute paths written. */
export async function writeComparison(records: LabelledRun[], outDir: string, opts: WriteComparisonOptions = {}): Promise<string[]> {
  if (records.length === 0) throw new Error('writeComparison needs at least one run to render.');
  const runs = records.map((r) => ({ label: r.label, record: redactRecord(r.record, opts.secrets) }));
  const dir = resolve(outDir);
  await mkdir(dir, { recursive: true });
  const title = opts.title ?? `rushgate comparison — ${runs[0]!.record.scenario.name}`;
  const written: string[] = [];
  const put = async (name: string, data: string | Buffer): Promise<void> => {
    const path = join(dir, name);
    await writeFileAtomic(path, data);
    written.push(path);
  };
  let charts: RenderedChart[] = [];
  if (opts.charts !== false) {
    charts = await renderCharts(compareChartSpecs(runs));
    if (charts.some((c) => c.png)) await mkdir(join(dir, 'charts'), { recursive: true });
    for (const chart of charts) if (chart.png) await put(join('charts', chart.file), chart.png);
  }
  await put('compare.md', renderComparisonMarkdown(runs, title, charts));
  await put('compare.html', renderComparisonHtml(runs, title, charts));
  return written;
}
