// vitest globalSetup of the integration tiers: compiles harness/, service/ and scenarios/ once, with the
// package's own build config, into .suite-build/ (same layout as dist/). Every reference service and CLI
// the suite spawns then runs as plain JavaScript instead of through tsx, which compiles in each process:
// about 2.3 CPU-s per service start and 1 CPU-s per CLI start here, on a tier that is CPU-bound.
//
// The build runs in the background while the unit tier runs. Until it is in place, spawns fall back to
// tsx on the sources, so nothing waits for it and a failed build costs time only. The spawned processes
// then run the JavaScript the package ships. vitest.config.ts points RUSHGATE_SERVICE_BUILD here.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isSameProcess } from '../../../harness/lifecycle/process-table.mjs';
import { STAGING_PREFIX, SUITE_BUILD_DIR } from './compiled.ts';

const KEY = Symbol.for('rushgate.test.suite-build');
type WithBuild = typeof globalThis & { [KEY]?: { users: number; child: ChildProcess } };

export default function setup(): () => void {
  const g = globalThis as WithBuild;
  // Both integration tiers name this file; one build serves them.
  const state = (g[KEY] ??= { users: 0, child: startBuild() });
  state.users++;
  return () => {
    if (--state.users > 0) return;
    delete g[KEY];
    if (state.child.exitCode === null) state.child.kill('SIGKILL');
    rmSync(SUITE_BUILD_DIR, { recursive: true, force: true });
    rmSync(staging(), { recursive: true, force: true });
  };
}

function staging(): string {
  return join(dirname(SUITE_BUILD_DIR), `${STAGING_PREFIX}${process.pid}`);
}

/** Staging dirs of runs that were killed mid-build (their process is gone): nothing else removes them. */
function removeDeadStaging(): void {
  for (const name of readdirSync(dirname(SUITE_BUILD_DIR))) {
    if (!name.startsWith(STAGING_PREFIX)) continue;
    const pid = Number(name.slice(STAGING_PREFIX.length));
    if (Number.isInteger(pid) && !isSameProcess(pid, undefined)) rmSync(join(dirname(SUITE_BUILD_DIR), name), { recursive: true, force: true });
  }
}

function startBuild(): ChildProcess {
  // A build left by an earlier run may be older than the sources: never use it.
  rmSync(SUITE_BUILD_DIR, { recursive: true, force: true });
  removeDeadStaging();
  const out = staging();
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const root = dirname(SUITE_BUILD_DIR);
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  // Declarations included: this is then the package's own build, and the package test packs it.
  const child = spawn(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', out, '--incremental', 'false'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  child.once('exit', (code, signal) => {
    if (code !== 0) {
      if (signal !== 'SIGKILL') process.stderr.write(`suite build: tsc failed (${code ?? signal}); spawned services and CLIs run through tsx\n${output}\n`);
      rmSync(out, { recursive: true, force: true });
      return;
    }
    // Whole or not at all: a spawn that finds a file here finds every file.
    renameSync(out, SUITE_BUILD_DIR);
  });
  child.once('error', (err) => process.stderr.write(`suite build: could not start tsc (${err.message}); spawned services and CLIs run through tsx\n`));
  return child;
}
