import { ruleMark } from '../gate/rule-mark.ts';
import { unitsText } from '../report/sampling-view.ts';
import type { RunRecord } from '../run-record.ts';

/** The verdict as CI logs show it: one `ok:`/`warn:`/`fail:` line per rule with the numbers that decided it. */
export function formatVerdictLines(record: RunRecord): string[] {
  const lines = record.verdict.rules.map((r) => `${ruleMark(r).padEnd(5)} ${r.name.padEnd(28)} ${r.message}`);
  if (record.verdict.aborted) {
    const a = record.verdict.aborted;
    lines.push(`note: load stopped at ${a.t.toFixed(0)} s because ${a.rule} had certainly failed (${a.reason}).`);
  }
  return lines;
}

export function printVerdict(record: RunRecord, files: string[], opts: { quiet: boolean }): void {
  const out = process.stdout;
  const s = record.summary;
  const target = record.target.publisher ? `${record.target.kind} service, publisher ${record.target.publisher}` : record.target.kind;
  out.write(`\n${record.verdict.passed ? 'PASSED' : 'FAILED'}  ${record.scenario.name} against ${target} (${unitsText(record)})\n`);
  if (!opts.quiet) {
    const statuses = Object.entries(s.status).map(([code, n]) => `${code}:${n}`).join(' ');
    out.write(
      `  ${s.requests} requests (${s.dropped} dropped) in ${s.durationSec.toFixed(1)} s, ${statuses || 'no responses'}; ` +
        `p50 ${s.latency.p50.toFixed(1)} ms, p99 ${s.latency.p99.toFixed(1)} ms\n` +
        `  broker connections: baseline ${s.broker.baselineConnections}, peak ${s.broker.peakConnections}, after cool-down ${s.broker.finalConnections}` +
        `${s.broker.connectionMax !== undefined ? ` (connection_max ${s.broker.connectionMax})` : ''}; ` +
        `channels peak ${s.broker.peakChannels}\n`,
    );
  }
  for (const line of formatVerdictLines(record)) out.write(`  ${line}\n`);
  printReportFiles(files);
}

/** The line that lists a run's reports (printed after the verdict, once they are written). */
export function printReportFiles(files: string[]): void {
  if (files.length > 0) process.stdout.write(`  reports: ${files.join(', ')}\n`);
}
