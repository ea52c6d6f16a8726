// rushgate's programmatic API (the package's `import ... from 'rushgate'`): run a scenario, judge a saved
// run against limits, write its reports. The same stages the CLI chains, as plain functions on plain data.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveLimits, type LimitsSource } from './gate/resolve-limits.ts';
import type { RunRecord, Verdict } from './run-record.ts';
import { executeRun, type RunOptions } from './run/execute-run.ts';
import { judgeRecord } from './run/judge-record.ts';

export { defineScenario, ScenarioError, BUILT_IN_SCENARIOS } from '../scenarios/index.ts';
export type { Scenario, ScenarioSpec, PhaseSpec, MixSpec } from '../scenarios/index.ts';
export { writeReports, readRunRecord, parseRunRecord, type WriteReportsOptions } from './report/write-reports.ts';
export { exitCodeFor, EXIT } from './errors.ts';
export type { LimitsSource } from './gate/resolve-limits.ts';
export type { GateLimits } from './gate/limits.ts';
export type * from './run-record.ts';

/**
 * The run command's options. `outDir` is where the run's logs go (e.g. target.log); without it they go to a
 * temp directory of the run's own, removed when the run ends.
 */
export type RunInput = Partial<Omit<RunOptions, 'scenario' | 'limits'>> & {
  scenario: RunOptions['scenario'];
  /** Limit strings such as `errors.rate<1%`, or where to read them from. */
  limits?: string[] | LimitsSource;
};

/**
 * One run: starts the stack (a local broker and the reference service unless told otherwise), replays the
 * scenario, and returns the judged run record. Reports are not written; pass the record to writeReports().
 */
export async function run(input: RunInput): Promise<RunRecord> {
  const { limits, ...rest } = input;
  // executeRun stops everything it started on every path, so a library caller has nothing to clean up;
  // the logs' temp dir, when the caller named no outDir, goes too (nothing in the record points into it).
  const ownDir = rest.outDir === undefined ? mkdtempSync(join(tmpdir(), 'rushgate-run-')) : undefined;
  try {
    return await executeRun({
      stack: 'auto',
      units: 2,
      abortOnFail: false,
      log: () => {},
      ...rest,
      outDir: ownDir ?? rest.outDir!,
      limits: Array.isArray(limits) ? { args: limits } : (limits ?? {}),
    });
  } finally {
    if (ownDir) rmSync(ownDir, { recursive: true, force: true });
  }
}

/** Re-judges a run record (e.g. a saved results.json) against its own limits overridden by `limits`. */
export function judge(record: RunRecord, limits: string[] | LimitsSource = []): Verdict {
  const source = Array.isArray(limits) ? { args: limits } : limits;
  return judgeRecord(record, resolveLimits({ saved: record.limits, ...source }));
}
