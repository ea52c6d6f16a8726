// What the reports say per call (one row per call name) and about the first non-2xx answers, computed
// once so summary.md and report.html show the same figures.
import type { RunRecord } from '../run-record.ts';
import { escapeHtml as e, escapeMarkdownCell, markdownCode } from './escape.ts';
import { fmtCounts, fmtInt, fmtMs, sumValues } from './format.ts';

export interface CallRow {
  name: string;
  route: string;
  sent: number;
  dropped: number;
  accepted: number;
  refused: number;
  failed: number;
  noAnswer: number;
  statuses: string;
  latency: string;
}

export function callRows(record: RunRecord): CallRow[] {
  return Object.entries(record.calls ?? {}).map(([name, c]) => ({
    name,
    route: `${c.method} ${c.path}`,
    sent: c.sent,
    dropped: c.dropped,
    accepted: c.classes.accepted,
    refused: c.classes.refused,
    failed: c.classes.failed,
    noAnswer: c.classes.noAnswer,
    statuses: fmtCounts({ ...c.status, ...c.errors }),
    latency: `${fmtMs(c.latency.p50)} / ${fmtMs(c.latency.p90)} / ${fmtMs(c.latency.p99)} / ${fmtMs(c.latency.max)}`,
  }));
}

/** "9,500 accepted · 30 refused by design · 20 failed (4xx 15, 5xx 5) · 0 no answer", or undefined for older records. */
export function classesText(record: RunRecord): string | undefined {
  const c = record.summary.classes;
  if (!c) return undefined;
  const four = Object.values(record.calls ?? {}).reduce((n, k) => n + k.fourXx, 0);
  const five = Object.values(record.calls ?? {}).reduce((n, k) => n + k.fiveXx, 0);
  return `${fmtInt(c.accepted)} accepted · ${fmtInt(c.refused)} refused by design · ${fmtInt(c.failed)} failed · ${fmtInt(c.noAnswer)} no answer (answered 4xx ${fmtInt(four)}, 5xx ${fmtInt(five)}, no answer ${fmtInt(sumValues(record.summary.errors))})`;
}

const HEAD = ['Call', 'Route', 'Sent', 'Dropped', 'Accepted', 'Refused by design', 'Failed', 'No answer', 'Statuses', 'p50 / p90 / p99 / max'];

export function callsMarkdown(record: RunRecord, h: string): string[] {
  const rows = callRows(record);
  const lines: string[] = [];
  if (rows.length > 0) {
    lines.push(`${h}# Calls`, '', `| ${HEAD.join(' | ')} |`, '|---|---|--:|--:|--:|--:|--:|--:|---|---|');
    for (const r of rows) {
      lines.push(
        `| ${markdownCode(r.name)} | ${escapeMarkdownCell(r.route)} | ${fmtInt(r.sent)} | ${fmtInt(r.dropped)} | ${fmtInt(r.accepted)} | ${fmtInt(r.refused)} | ${fmtInt(r.failed)} | ${fmtInt(r.noAnswer)} | ${escapeMarkdownCell(r.statuses)} | ${escapeMarkdownCell(r.latency)} |`,
      );
    }
    lines.push('');
  }
  const first = record.firstErrors ?? [];
  if (first.length > 0) {
    lines.push(`${h}# First non-2xx answers`, '', '| At | Call | Status | Body |', '|--:|---|--:|---|');
    for (const f of first) lines.push(`| ${f.t} s | ${markdownCode(f.call)} | ${f.status} | ${escapeMarkdownCell(f.body || '(empty)')} |`);
    lines.push('');
  }
  return lines;
}

export function callsHtml(record: RunRecord): string {
  const rows = callRows(record).map(
    (r) => `<tr><td><code>${e(r.name)}</code></td><td><code>${e(r.route)}</code></td><td class="num">${fmtInt(r.sent)}</td><td class="num">${fmtInt(r.dropped)}</td>` +
      `<td class="num">${fmtInt(r.accepted)}</td><td class="num">${fmtInt(r.refused)}</td><td class="num">${fmtInt(r.failed)}</td><td class="num">${fmtInt(r.noAnswer)}</td>` +
      `<td>${e(r.statuses)}</td><td class="num">${e(r.latency)}</td></tr>`,
  );
  const table = rows.length === 0
    ? '<p class="muted">This record has no per-call results.</p>'
    : `<table id="calls">\n<thead><tr>${HEAD.map((x, i) => `<th${i >= 2 && i <= 7 ? ' class="num"' : ''}>${e(x)}</th>`).join('')}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
  const first = record.firstErrors ?? [];
  const errors = first.length === 0
    ? ''
    : `\n<h3>First non-2xx answers</h3>\n<table id="first-errors">\n<thead><tr><th class="num">At</th><th>Call</th><th class="num">Status</th><th>Body</th></tr></thead>\n<tbody>\n${first
        .map((f) => `<tr><td class="num">${f.t} s</td><td><code>${e(f.call)}</code></td><td class="num">${f.status}</td><td><code>${e(f.body || '(empty)')}</code></td></tr>`)
        .join('\n')}\n</tbody>\n</table>`;
  return table + errors;
}
