// summary.md: what CI shows on the run page ($GITHUB_STEP_SUMMARY) — the verdict first, in words a
// reader who never saw rushgate can follow, then the numbers that back it.
import { ruleOutcome, type RuleOutcome } from '../gate/rule-mark.ts';
import type { RunRecord } from '../run-record.ts';
import { callsMarkdown } from './calls-view.ts';
import { escapeMarkdown, escapeMarkdownCell, markdownCode } from './escape.ts';
import { fmtInt, fmtRate } from './format.ts';
import { describeStack, describeTarget, integrityNumbers, keyNumbers, phaseRows, verdictLine, verdictWord } from './run-view.ts';
import { connectionRows, gapRows, samplingText, unitsSourceText } from './sampling-view.ts';
import { NODE_TABLE_NOTE, nodeRows } from './node-view.ts';

export interface SummaryOptions {
  /** Heading level of the title (2 when embedded in a larger page). */
  headingLevel?: number;
  /** Label for this run when several are shown together. */
  label?: string;
}

export function renderSummaryMarkdown(record: RunRecord, opts: SummaryOptions = {}): string {
  const h = '#'.repeat(opts.headingLevel ?? 2);
  const word = verdictWord(record);
  const icon = record.verdict.passed ? '✅' : '❌';
  const lines: string[] = [];
  const label = opts.label ? `${escapeMarkdown(opts.label)}: ` : '';
  lines.push(`${h} ${icon} rushgate ${label}${word} — ${escapeMarkdown(record.scenario.name)}`, '');
  lines.push(
    `**Gate ${word}.** ${verdictLine(record)} Target: ${escapeMarkdown(describeTarget(record))} at ${markdownCode(record.target.url)}. ` +
      `Broker: ${escapeMarkdown(describeStack(record))}.`,
    '',
  );
  if (record.target.command) lines.push(`Target command: ${markdownCode(record.target.command)}`, '');
  if (record.interrupted) {
    const i = record.interrupted;
    lines.push(`> **Run interrupted** by ${escapeMarkdown(i.signal)} at ${fmtRate(i.atSec)} s: what follows is what was measured until then, without a cool-down.`, '');
  }
  const aborted = record.verdict.aborted;
  if (aborted) {
    lines.push(`> **Load stopped early** at ${fmtRate(aborted.t)} s: rule ${markdownCode(aborted.rule)} had certainly failed — ${escapeMarkdown(aborted.reason)}`, '');
  }
  lines.push(...verdictTable(record), '');
  lines.push(`${h}# Key numbers`, '', '| | |', '|---|---|');
  for (const k of keyNumbers(record)) lines.push(`| ${escapeMarkdownCell(k.label)} | ${escapeMarkdownCell(k.value)} |`);
  lines.push('');
  lines.push(...callsMarkdown(record, h));
  const integrity = integrityNumbers(record);
  if (integrity) {
    lines.push(`${h}# Integrity`, '', '| | |', '|---|---|');
    for (const k of integrity) lines.push(`| ${escapeMarkdownCell(k.label)} | ${escapeMarkdownCell(k.value)} |`);
    lines.push('');
  }
  lines.push(...observationMarkdown(record, h));
  const phases = phaseRows(record);
  if (phases.length > 0) {
    lines.push(`${h}# Phases`, '');
    lines.push('| Phase | Clock | Offered req/s | Achieved req/s | 5xx | No response | Dropped | Connections at end |');
    lines.push('|---|---|--:|--:|--:|--:|--:|--:|');
    for (const p of phases) {
      const name = p.incident ? `**${escapeMarkdownCell(p.name)}**` : escapeMarkdownCell(p.name);
      lines.push(
        `| ${name} | ${escapeMarkdownCell(p.clock)} | ${escapeMarkdownCell(p.offered)} | ${fmtRate(p.achievedRps)} | ${fmtInt(p.fiveXx)} | ${fmtInt(p.errors)} | ${fmtInt(p.dropped)} | ${p.connectionsAtEnd === null ? '–' : fmtInt(p.connectionsAtEnd)} |`,
      );
    }
    lines.push('', '_Phases in bold are the incident peaks. Achieved = requests sent per second._', '');
  }
  lines.push(
    `<sub>rushgate ${escapeMarkdown(record.tool.version)} · started ${escapeMarkdown(record.startedAt)} · ` +
      `${escapeMarkdown(record.environment.platform)}, ${record.environment.cpus} CPUs, Node ${escapeMarkdown(record.environment.node)}</sub>`,
    '',
  );
  return lines.join('\n');
}

/** How the broker was observed: gaps in sampling, and the target's connections by name and unit. */
function observationMarkdown(record: RunRecord, h: string): string[] {
  const lines: string[] = [];
  const nodes = nodeRows(record);
  if (nodes.length > 0) {
    lines.push(`${h}# Broker nodes`, '', '| Node | connection_max | Baseline | Peak | End | Peak channels | Did not answer |', '|---|--:|--:|--:|--:|--:|---|');
    for (const n of nodes) {
      lines.push(`| ${escapeMarkdownCell(n.node)} | ${n.connectionMax} | ${n.baseline} | ${n.peak} | ${n.end} | ${n.peakChannels} | ${escapeMarkdownCell(n.unanswered)} |`);
    }
    lines.push('', `_${NODE_TABLE_NOTE}_`, '');
  }
  const gaps = gapRows(record);
  if (gaps.length > 0) {
    lines.push(`${h}# Gaps in broker sampling`, '', `${escapeMarkdown(samplingText(record) ?? '')}. Rules that judged across a gap say so.`, '');
    lines.push('| When | Without samples | Why |', '|---|--:|---|');
    for (const g of gaps) lines.push(`| ${escapeMarkdownCell(g.window)} | ${escapeMarkdownCell(g.seconds)} | ${escapeMarkdownCell(g.reason)} |`);
    lines.push('');
  }
  const rows = connectionRows(record);
  const source = unitsSourceText(record);
  if (source) {
    lines.push(`${h}# Connections by name`, '', escapeMarkdown(source), '');
    if (rows.length > 0) {
      lines.push('| Connection name | Unit | Baseline | Peak | End |', '|---|---|--:|--:|--:|');
      for (const r of rows) lines.push(`| ${escapeMarkdownCell(r.name)} | ${escapeMarkdownCell(r.unit)} | ${fmtInt(r.baseline)} | ${fmtInt(r.peak)} | ${fmtInt(r.end)} |`);
      lines.push('', "_From the broker's management API every few seconds; short-lived connections may fall between two looks._", '');
    }
  }
  return lines;
}

const RESULT_CELL: Record<RuleOutcome, string> = { ok: '✅ ok', warn: '⚠️ warn', fail: '❌ **fail**', 'n/a': '➖ not judged' };

export function verdictTable(record: RunRecord): string[] {
  const rows = ['| Rule | Limit | Measured | Result | What it means |', '|---|---|---|---|---|'];
  for (const r of record.verdict.rules) {
    rows.push(
      `| ${markdownCode(r.name)} | ${escapeMarkdownCell(r.limit)} | ${escapeMarkdownCell(r.value)} | ${RESULT_CELL[ruleOutcome(r)]} | ${escapeMarkdownCell(r.message)} |`,
    );
  }
  if (record.verdict.rules.length === 0) rows.push(`| (no rules) | | | ${record.verdict.passed ? '✅ ok' : '❌ **fail**'} | No gate rule was evaluated. |`);
  return rows;
}
