import type { Argv } from 'yargs';
import { EXIT } from '../errors.ts';
import { resolveLimits } from '../gate/resolve-limits.ts';
import { readRunRecord } from '../report/write-reports.ts';
import { judgeRecord } from '../run/judge-record.ts';
import { printVerdict } from '../run/print-verdict.ts';

export const gateCommand = {
  command: 'gate <results> [limits..]',
  describe: 'Re-evaluate a saved results.json against (other) limits; no broker needed',
  builder: (y: Argv) =>
    y
      .positional('results', { type: 'string', demandOption: true, describe: 'Path to a results.json' })
      .positional('limits', { type: 'string', array: true, default: [] as string[], describe: 'Limits, e.g. "latency.p99<500ms"' })
      .option('limits-file', { type: 'string', describe: 'JSON file of gate limits' }),
  handler: async (args: Record<string, unknown>): Promise<number> => {
    const record = await readRunRecord(String(args.results));
    // The run's own limits first, then a limits file, then the limits given here: each overrides rule by rule.
    const limits = resolveLimits({
      saved: record.limits,
      args: (args.limits as string[]) ?? [],
      file: args['limits-file'] as string | undefined,
    });
    const verdict = judgeRecord(record, limits);
    printVerdict({ ...record, verdict }, [], { quiet: false });
    return verdict.passed ? EXIT.passed : EXIT.failed;
  },
};
