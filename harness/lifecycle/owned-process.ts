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
  /** Scrubs secrets from the output before it is written to the log file or kept (a target may echo AMQP_URL). */
  redact?: (text: string) => string;
  /** Give the child a stdin pipe (a control loop that reads commands); it ends when the harness does. */
  stdinPipe?: boolean;
}

export interface OwnedProcess {
  name: string;
  pid: number;
  /** Resolves with the exit code (or signal name) when the process ends, whoever ended it. */
  exited: Promise<number | string>;
  hasExited(): boolean;
  /** The child's stdin, when started with `stdinPipe`. */
  stdin?: NodeJS.WritableStream;
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
    stdio: [opts.stdinPipe ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${opts.name}: ${opts.command} did not spawn`);

  // Written down before anything else can fail, so a harness killed from here on leaves a trace to sweep.
  const disown = ownProcessGroup(pid, opts.name);
  const recent: string[] = [];
  let log: WriteStream | undefined = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
  const redact = opts.redact ?? ((text: string) => text);
  // Whole lines only: a secret split across two chunks must still be recognised before it is written.
  const partial = { stdout: '', stderr: '' };
  const take = (line: string) => {
    log?.write(`${line}\n`);
    if (!line.trim()) return;
    recent.push(line);
    if (recent.length > 200) recent.shift();
    opts.onLine?.(line);
  };
  const onData = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
    const lines = (partial[stream] + chunk.toString('utf8')).split('\n');
    partial[stream] = lines.pop() ?? '';
    // A line with no end in sight (a binary blob) is flushed anyway rather than held forever.
    if (partial[stream].length > 64 * 1024) {
      lines.push(partial[stream]);
      partial[stream] = '';
    }
    for (const line of lines) take(redact(line));
  };
  const flushPartial = () => {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (partial[stream]) take(redact(partial[stream]));
      partial[stream] = '';
    }
  };
  child.stdout?.on('data', onData('stdout'));
  child.stderr?.on('data', onData('stderr'));
  // 'close' comes after the last output (unlike 'exit'): the unfinished last line is written then.
  const closed = new Promise<void>((resolve) => child.once('close', () => (flushPartial(), resolve())));

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
      // The pipes close once the whole group is gone; bounded, as a stray holder of the pipe is not ours to wait for.
      await Promise.race([closed, new Promise((r) => setTimeout(r, 2_000).unref())]);
      const ending = log;
      log = undefined;
      await new Promise<void>((resolve) => (ending ? ending.end(resolve) : resolve()));
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
    ...(child.stdin ? { stdin: child.stdin } : {}),
    tail: (lines = 20) => recent.slice(-lines).join('\n'),
    stop: release,
  };
}
