import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { registerCleanup } from './cleanup.ts';
import { ownProcessGroup } from './run-ledger.ts';

export interface OwnedProcessOptions {
  /** Shown in logs and errors, e.g. "broker rushgate-1a2b" or "service (leaky)". */
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Where stdout+stderr go; the last lines are also kept in memory for error messages. */
  logFile?: string;
  /** Time between SIGTERM and SIGKILL on stop. */
  graceMs?: number;
  /** Extra undo that runs after the process is gone (e.g. removing its temp dir). */
  afterExit?: { run: () => Promise<void>; runSync: () => void };
  /** Lines of output are passed here too (already redacted by the caller's choice of sink). */
  onLine?: (line: string) => void;
}

export interface OwnedProcess {
  name: string;
  pid: number;
  /** Resolves with the exit code (or signal name) when the process ends, whoever ended it. */
  exited: Promise<number | string>;
  hasExited(): boolean;
  /** Last lines of output, for error messages. */
  tail(lines?: number): string;
  /** SIGTERM to the process group, SIGKILL after the grace period; then the afterExit undo. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts a child in its own process group and registers it for cleanup, so it and anything it forks
 * (beam.smp, erl_child_setup, cluster workers) are stopped by PID on every exit path.
 */
export function startOwnedProcess(opts: OwnedProcessOptions): OwnedProcess {
  const graceMs = opts.graceMs ?? 10_000;
  const child: ChildProcess = spawn(opts.command, opts.args, {
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${opts.name}: ${opts.command} did not spawn`);

  // Written down before anything else can fail, so a harness killed from here on leaves a trace to sweep.
  const disown = ownProcessGroup(pid, opts.name);
  const recent: string[] = [];
  let log: WriteStream | undefined = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
  const onData = (chunk: Buffer) => {
    log?.write(chunk);
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      recent.push(line);
      if (recent.length > 200) recent.shift();
      opts.onLine?.(line);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);

  let exitedFlag = false;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      exitedFlag = true;
      resolve(code ?? signal ?? -1);
    });
    child.once('error', (err) => {
      exitedFlag = true;
      recent.push(`spawn error: ${err.message}`);
      resolve(-1);
    });
  });

  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is already gone.
    }
  };

  const release = registerCleanup({
    name: opts.name,
    run: async () => {
      if (!exitedFlag) {
        signalGroup('SIGTERM');
        const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      // Grandchildren that outlived the leader (rare) go too.
      signalGroup('SIGKILL');
      disown();
      await new Promise<void>((resolve) => (log ? log.end(resolve) : resolve()));
      log = undefined;
      await opts.afterExit?.run();
    },
    runSync: () => {
      signalGroup('SIGKILL');
      opts.afterExit?.runSync();
    },
  });

  return {
    name: opts.name,
    pid,
    exited,
    hasExited: () => exitedFlag,
    tail: (lines = 20) => recent.slice(-lines).join('\n'),
    stop: release,
  };
}
