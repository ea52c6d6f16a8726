// How a judged run leaves the CLI besides its report files: the verdict for people (or as JSON on
// stdout with --json), GitHub annotations per failed rule under Actions, and OpenMetrics on request.
import type { Argv } from 'yargs';
import { writeFileAtomic } from '../report/write-file-atomic.ts';
import { renderMetricsSummary, renderOpenMetrics } from '../report/openmetrics.ts';
import type { RunRecord } from '../run-record.ts';
import { printVerdict } from '../run/print-verdict.ts';

export function withVerdictOutputOptions<T>(y: Argv<T>) {
  return y
    .option('json', { type: 'boolean', default: false, describe: 'Print the verdict as JSON on stdout (nothing else goes to stdout)' })
    .option('prometheus-out', { type: 'string', describe: "Write the run's measurements to this file as OpenMetrics text with timestamps" })
    .option('metrics-out', { type: 'string', describe: "Write the run's key numbers to this file (OpenMetrics, no timestamps: a GitLab metrics report)" });
}

/** GitHub workflow-command escaping: https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts */
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** One `::error` line per failed rule, which GitHub shows as an annotation on the job. */
export function githubAnnotations(record: RunRecord): string[] {
  return record.verdict.rules.filter((r) => !r.passed).map((r) => `::error title=${escapeProperty(r.name)}::${escapeData(r.message)}`);
}

export function verdictJson(record: RunRecord, files: string[]): string {
  const { passed, rules, aborted } = record.verdict;
  return `${JSON.stringify({ passed, scenario: record.scenario.name, target: record.target, rules, ...(aborted ? { aborted } : {}), reports: files }, null, 2)}\n`;
}

export async function emitVerdict(record: RunRecord, files: string[], args: Record<string, unknown>): Promise<void> {
  const reports = [...files];
  const promOut = args['prometheus-out'] as string | undefined;
  if (promOut) await writeFileAtomic(promOut, renderOpenMetrics(record)).then(() => reports.push(promOut));
  const metricsOut = args['metrics-out'] as string | undefined;
  if (metricsOut) await writeFileAtomic(metricsOut, renderMetricsSummary(record)).then(() => reports.push(metricsOut));
  if (args.json) process.stdout.write(verdictJson(record, reports));
  else printVerdict(record, reports, { quiet: Boolean(args.quiet) });
  if (process.env.GITHUB_ACTIONS === 'true') {
    // Workflow commands are read from both streams; keep stdout pure JSON when --json asked for it.
    const stream = args.json ? process.stderr : process.stdout;
    for (const line of githubAnnotations(record)) stream.write(`${line}\n`);
  }
}
