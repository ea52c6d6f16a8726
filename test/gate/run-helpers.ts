// Shared by the gate's integration tests: one short step-ladder run through the real orchestrator
// (local stack: private broker + target process), its verdict looked up by rule name.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll } from 'vitest';
import { REPO_ROOT } from '../../harness/paths.ts';
import { executeRun, type RunOptions } from '../../harness/run/execute-run.ts';
import type { RuleResult, RunRecord } from '../../harness/run-record.ts';
import { formatVerdictLines } from '../../harness/run/print-verdict.ts';

// One leased broker node for a test file's runs: each run starts its own target on it and measures its
// own baseline once the previous target is gone.
export { sharedBroker } from '../helpers/shared-broker.ts';

export const TARGETS_DIR = new URL('../targets/', import.meta.url).pathname;
/** Inside the repo, so the bundles' package imports resolve to its node_modules. */
const TARGETS_BUILD_DIR = join(REPO_ROOT, 'test-artifacts', 'targets-build');

/**
 * Bundles TypeScript targets to plain JavaScript (`<outDir>/<name>.mjs`) once per test file, before its
 * tests, as a user ships a service: started with `node`, not through tsx, which costs a second or more
 * of CPU per start on a busy machine. Each file bundles the targets it runs (no two files share one).
 * `then` runs once they are written.
 */
export function bundleTargets(entryDir: string, names: string[], outDir: string, then: () => void = () => {}): void {
  beforeAll(async () => {
    await build({
      entryPoints: names.map((n) => join(entryDir, `${n}.ts`)),
      outdir: outDir,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'error',
    });
    then();
  });
}

/** Targets bundled by this process: a bundle an earlier run left may be older than the sources. */
const bundled = new Set<string>();

/** Bundles targets in test/targets/ for targetCommand. */
export function buildTargets(names: string[]): void {
  bundleTargets(TARGETS_DIR, names, TARGETS_BUILD_DIR, () => names.forEach((n) => bundled.add(n)));
}

/** The command that starts test/targets/<name>.ts: its bundle (buildTargets), else through tsx; absolute paths, so the cwd does not matter. */
export function targetCommand(name: string): string {
  if (bundled.has(name)) return `${process.execPath} ${join(TARGETS_BUILD_DIR, `${name}.mjs`)}`;
  return `${process.execPath} --import tsx ${join(TARGETS_DIR, `${name}.ts`)}`;
}

// Two cores shared by broker, service and load generator (and other suites): latency is not what these
// tests judge, so its limit is loose; the connection and channel rules keep their defaults.
export const LOOSE_LATENCY = 'latency.p99<8s';

export interface LadderRun {
  record: RunRecord;
  log: string[];
  rule(name: string): RuleResult;
  /** The verdict as the CLI prints it, for failure messages and the report. */
  lines: string;
}

export async function runLadder(opts: Partial<RunOptions> & { durationSec?: number; peakRps?: number }): Promise<LadderRun> {
  const outDir = mkdtempSync(join(tmpdir(), 'rushgate-gate-int-'));
  const log: string[] = [];
  try {
    const record = await executeRun({
      scenario: 'step-ladder',
      durationSec: 14,
      peakRps: 120,
      baselineSec: 2,
      cooldownSec: 3,
      stack: 'local',
      units: 1,
      limits: { args: [LOOSE_LATENCY] },
      abortOnFail: false,
      outDir,
      log: (line) => log.push(line),
      ...opts,
    });
    const lines = formatVerdictLines(record).join('\n');
    return {
      record,
      log,
      lines,
      rule(name) {
        const r = record.verdict.rules.find((x) => x.name === name);
        if (!r) throw new Error(`no rule ${name} in the verdict:\n${lines}`);
        return r;
      },
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** Names of the rules that failed. */
export function failedRules(record: RunRecord): string[] {
  return record.verdict.rules.filter((r) => !r.passed).map((r) => r.name);
}
