import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { EXIT, UsageError } from '../errors.ts';
import { parseDuration } from '../parse-duration.ts';
import { writeReports } from '../report/write-reports.ts';
import { formatVerdictLines } from '../run/print-verdict.ts';
import type { RunRecord } from '../run-record.ts';
import { watchBroker } from '../run/watch-broker.ts';
import { prometheusUrlList } from '../probe/broker-nodes.ts';

export const watchCommand = {
  command: 'watch',
  describe: 'Sample an existing broker while other load runs, then gate on what the broker shows',
  builder: (y: Argv) =>
    y
      .option('management-url', { type: 'string', demandOption: true, describe: 'RabbitMQ management API URL (user:pass@ allowed; default guest)' })
      .option('prometheus-url', { type: 'string', demandOption: true, describe: 'RabbitMQ Prometheus endpoint, e.g. http://127.0.0.1:15692; one per node of a cluster (repeat, or comma-separated), else discovered' })
      .option('duration', { type: 'string', demandOption: true, describe: 'How long to watch (e.g. 60s, 10m)' })
      .option('baseline', { type: 'string', default: '3s', describe: 'Sampling before the watch window, for the idle baseline' })
      .option('units', { type: 'number', default: 1, describe: 'Units (processes) of the watched service, for per-unit allowances' })
      .option('limit', { type: 'string', array: true, default: [] as string[], describe: 'Gate limit, e.g. "connections.ceiling=baseline+4" or "connections.churn<=2/s" (repeatable)' })
      .option('limits-file', { type: 'string', describe: 'JSON file of gate limits' })
      .option('out', { type: 'string', describe: 'Report directory (results.json, summary.md, junit.xml, report.html)' })
      .option('quiet', { type: 'boolean', default: false, describe: 'Only the verdict' }),
  handler: async (args: Record<string, unknown>): Promise<number> => {
    const units = Number(args.units);
    if (!Number.isInteger(units) || units < 1 || units > 1024) throw new UsageError(`--units must be a whole number from 1 to 1024 (got ${String(args.units)}).`);
    const quiet = Boolean(args.quiet);
    const record = await watchBroker({
      managementUrl: String(args['management-url']),
      prometheusUrl: prometheusUrlList(args['prometheus-url'])[0] ?? '',
      prometheusUrls: prometheusUrlList(args['prometheus-url']),
      durationSec: parseDuration(String(args.duration), '--duration'),
      baselineSec: parseDuration(String(args.baseline), '--baseline'),
      units,
      limits: { args: (args.limit as string[]) ?? [], file: args['limits-file'] as string | undefined },
      log: quiet ? () => {} : (line) => process.stderr.write(`rushgate: ${line}\n`),
    });
    const files = args.out ? await writeReports(record, resolve(String(args.out))) : [];
    printWatchVerdict(record, files);
    return record.verdict.passed ? EXIT.passed : EXIT.failed;
  },
};

function printWatchVerdict(record: RunRecord, files: string[]): void {
  const b = record.summary.broker;
  const out = process.stdout;
  out.write(`\n${record.verdict.passed ? 'PASSED' : 'FAILED'}  ${record.scenario.description} (${record.target.units} unit${record.target.units === 1 ? '' : 's'})\n`);
  out.write(
    `  broker connections: baseline ${b.baselineConnections}, peak ${b.peakConnections}, at the end ${b.finalConnections}; ` +
      `channels: baseline ${b.baselineChannels}, peak ${b.peakChannels}, at the end ${b.finalChannels}\n`,
  );
  for (const line of formatVerdictLines(record)) out.write(`  ${line}\n`);
  if (files.length > 0) out.write(`  reports: ${files.join(', ')}\n`);
}
