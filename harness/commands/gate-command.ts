import type { Argv } from 'yargs';
import { EXIT } from '../errors.ts';
import { resolveLimits } from '../gate/resolve-limits.ts';
import { limitsAsText } from '../gate/limits.ts';
import { readRunRecord, writeReports } from '../report/write-reports.ts';
import { judgeRecord } from '../run/judge-record.ts';
import { emitVerdict, withVerdictOutputOptions } from './verdict-output.ts';

export const gateCommand = {
  command: 'gate <results> [limits..]',
  describe: 'Re-evaluate a saved results.json against (other) limits; no broker needed',
  builder: (y: Argv) =>
    withVerdictOutputOptions(y)
      .positional('results', { type: 'string', demandOption: true, describe: 'Path to a results.json' })
      .positional('limits', { type: 'string', array: true, default: [] as string[], describe: 'Limits, e.g. "latency.p99<500ms"' })
      .option('limits-file', { type: 'string', describe: 'JSON file of gate limits' })
      .option('out', { type: 'string', describe: 'Also write the reports (results.json, summary.md, junit.xml, report.html) here, as run does' })
      .option('quiet', { type: 'boolean', default: false, describe: 'Only the verdict' }),
  handler: async (args: Record<string, unknown>): Promise<number> => {
    const record = await readRunRecord(String(args.results));
    // The run's own limits first, then a limits file, then the limits given here: each overrides rule by rule.
    const limits = resolveLimits({
      saved: record.limits,
      args: (args.limits as string[]) ?? [],
      file: args['limits-file'] as string | undefined,
    });
    const judged = { ...record, verdict: judgeRecord(record, limits), limits: limitsAsText(limits) };
    const files = args.out ? await writeReports(judged, String(args.out)) : [];
    await emitVerdict(judged, files, args);
    return judged.verdict.passed ? EXIT.passed : EXIT.failed;
  },
};
