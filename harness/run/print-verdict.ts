import { ruleMark } from '../gate/rule-mark.ts';
import { unitsText } from '../report/sampling-view.ts';
import type { RunRecord } from '../run-record.ts';
import { VALIDITY_RULE } from './validity.ts';

/** "2xx 950, 4xx 40, 5xx 10, no answer 0 (refused by design 30)": status classes counted apart. */
export function classesLine(record: RunRecord): string {
  const s = record.summary;
  const sum = (match: (code: string) => boolean) => Object.entries(s.status).reduce((n, [code, k]) => n + (match(code) ? k : 0), 0);
  const noAnswer = Object.values(s.errors).reduce((a, b) => a + b, 0);
  const refused = s.classes && s.classes.refused > 0 ? ` (refused by design ${s.classes.refused})` : '';
  return `2xx ${sum((c) => c.startsWith('2'))}, 4xx ${sum((c) => c.startsWith('4'))}, 5xx ${sum((c) => c.startsWith('5'))}, no answer ${noAnswer}${refused}; `;
}

/** The verdict as CI logs show it: one `ok:`/`warn:`/`fail:` line per rule with the numbers that decided it. */
export function formatVerdictLines(record: RunRecord): string[] {
  const lines = record.verdict.rules.map((r) => `${ruleMark(r).padEnd(5)} ${r.name.padEnd(28)} ${r.message}`);
  if (record.verdict.aborted) {
    const a = record.verdict.aborted;
    lines.push(`note: load stopped at ${a.t.toFixed(0)} s because ${a.rule} had certainly failed (${a.reason}).`);
  }
  if (record.interrupted) {
    lines.push(`note: run interrupted by ${record.interrupted.signal} at ${record.interrupted.atSec.toFixed(1)} s; judged on what was measured until then.`);
  }
  return lines;
}

export function printVerdict(record: RunRecord, files: string[], opts: { quiet: boolean }): void {
  const out = process.stdout;
  const s = record.summary;
  const target = record.target.publisher ? `${record.target.kind} service, publisher ${record.target.publisher}` : record.target.kind;
  const invalid = record.verdict.rules.some((r) => r.name === VALIDITY_RULE && !r.passed);
  const outcome = invalid ? 'NOT A VALID TEST' : record.verdict.passed ? 'PASSED' : 'FAILED';
  const word = record.interrupted ? `INTERRUPTED (by ${record.interrupted.signal}; ${record.verdict.passed ? 'passed' : 'failed'} on what was seen)` : outcome;
  out.write(`\n${word}  ${record.scenario.name} against ${target} (${unitsText(record)})\n`);
  if (!opts.quiet) {
    const statuses = Object.entries(s.status).map(([code, n]) => `${code}:${n}`).join(' ');
    out.write(
      `  ${s.requests} requests (${s.dropped} dropped) in ${s.durationSec.toFixed(1)} s, ${statuses || 'no responses'}; ${classesLine(record)}` +
        `p50 ${s.latency.p50.toFixed(1)} ms, p99 ${s.latency.p99.toFixed(1)} ms\n` +
        `  broker connections: baseline ${s.broker.baselineConnections}, peak ${s.broker.peakConnections}, after cool-down ${s.broker.finalConnections}` +
        `${s.broker.connectionMax !== undefined ? ` (connection_max ${s.broker.connectionMax}${record.brokerNodes ? ' per node' : ''})` : ''}` +
        `${record.brokerNodes ? ` over ${record.brokerNodes.length} nodes` : ''}; ` +
        `channels peak ${s.broker.peakChannels}\n`,
    );
    for (const [name, c] of Object.entries(record.calls ?? {})) {
      out.write(
        `  ${name}: ${c.sent} sent (${c.dropped} dropped), ${c.classes.accepted} accepted, ${c.classes.refused} refused by design, ` +
          `${c.classes.failed} failed (4xx ${c.fourXx}, 5xx ${c.fiveXx}), ${c.classes.noAnswer} no answer; p50 ${c.latency.p50.toFixed(1)} ms, p99 ${c.latency.p99.toFixed(1)} ms\n`,
      );
    }
  }
  for (const line of formatVerdictLines(record)) out.write(`  ${line}\n`);
  printReportFiles(files);
}

/** The line that lists a run's reports (printed after the verdict, once they are written). */
export function printReportFiles(files: string[]): void {
  if (files.length > 0) process.stdout.write(`  reports: ${files.join(', ')}\n`);
}
