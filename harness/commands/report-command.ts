import { dirname, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { EXIT, UsageError } from '../errors.ts';
import { writeComparison } from '../report/compare.ts';
import { readRunRecord, writeReports } from '../report/write-reports.ts';

export const reportCommand = {
  command: 'report <results>',
  describe: 'Re-render the reports (HTML, Markdown, JUnit, charts) of a saved results.json',
  builder: (y: Argv) =>
    y
      .positional('results', { type: 'string', demandOption: true, describe: 'Path to a results.json' })
      .option('out', { type: 'string', describe: 'Directory (default: beside results.json)' }),
  handler: async (args: Record<string, unknown>): Promise<number> => {
    const path = String(args.results);
    const record = await readRunRecord(path);
    const files = await writeReports(record, resolve(String(args.out ?? dirname(path))));
    process.stdout.write(`${files.join('\n')}\n`);
    return EXIT.passed;
  },
};

export const compareCommand = {
  command: 'compare <before> <after>',
  describe: 'A before/after report of two saved runs on the same charts',
  builder: (y: Argv) =>
    y
      .positional('before', { type: 'string', demandOption: true })
      .positional('after', { type: 'string', demandOption: true })
      .option('label', { type: 'string', array: true, describe: 'Labels for the two runs (default: their file paths)' })
      .option('out', { type: 'string', default: 'reports/compare', describe: 'Directory' }),
  handler: async (args: Record<string, unknown>): Promise<number> => {
    const paths = [String(args.before), String(args.after)];
    const labels = (args.label as string[] | undefined) ?? paths;
    if (labels.length !== 2) throw new UsageError(`--label takes two labels, one per run (got ${labels.length}).`);
    const records = await Promise.all(paths.map((p) => readRunRecord(p)));
    const files = await writeComparison(
      records.map((record, i) => ({ label: labels[i]!, record })),
      resolve(String(args.out)),
    );
    process.stdout.write(`${files.join('\n')}\n`);
    return EXIT.passed;
  },
};
