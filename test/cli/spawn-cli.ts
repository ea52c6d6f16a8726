// Spawns the real binary (`node bin/rushgate.js ...`) for CLI tests and collects its exit code and output.
// Once the suite's build is in place (test/helpers/suite-build) it runs the compiled CLI, as the installed
// package's bin does, instead of compiling the sources through tsx in every process.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { suiteBuilt } from '../helpers/suite-build/compiled.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRun extends Promise<CliResult> {
  child: ChildProcess;
  /** Resolves once stderr has printed a line matching `pattern`. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

export function rushgate(args: string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): CliRun {
  const child = spawn(process.execPath, [suiteBuilt('harness/cli.js') ?? 'bin/rushgate.js', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, CI: '', GITHUB_STEP_SUMMARY: '', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of waiters.splice(0)) (w.pattern.test(stderr) ? w.resolve : () => waiters.push(w))();
  });
  const timer = setTimeout(() => child.kill('SIGTERM'), opts.timeoutMs ?? 90_000);
  const done = new Promise<CliResult>((resolve) => {
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  }) as CliRun;
  done.child = child;
  done.waitForStderr = (pattern, timeoutMs = 60_000) =>
    new Promise<void>((resolve, reject) => {
      if (pattern.test(stderr)) return resolve();
      const t = setTimeout(() => reject(new Error(`stderr never matched ${pattern}; got:\n${stderr}`)), timeoutMs);
      waiters.push({ pattern, resolve: () => (clearTimeout(t), resolve()) });
    });
  return done;
}

/** Stack traces look like "    at fn (file:line:col)". */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+:\d+:\d+\)?$/m.test(text);
}
