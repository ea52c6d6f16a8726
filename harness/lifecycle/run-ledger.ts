// What this run owns, written down where the next run can find it: process groups (with their start
// times, so a reused PID is never mistaken for ours), temp dirs and containers, in
// $XDG_STATE_HOME/rushgate/runs/<pid>.json. A watchdog child holds the same list and acts on it the moment
// this process dies; the ledger is for what even the watchdog could not do (the machine rebooted, it too
// was killed), and is swept by the next run and by `rushgate cleanup`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTimeOf, type OwnedGroup } from './process-table.mjs';

export interface LedgerProcess extends OwnedGroup {
  name: string;
}

export interface Ledger {
  owner: { pid: number; startTime?: number; startedAt: string };
  processes: LedgerProcess[];
  dirs: string[];
  containers: string[];
}

/** Where runs record what they own; RUSHGATE_STATE_DIR wins (tests give each run its own). */
export function ledgerDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.RUSHGATE_STATE_DIR) return join(env.RUSHGATE_STATE_DIR, 'runs');
  const base = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'rushgate', 'runs');
}

let ledger: Ledger | undefined;
let file: string | undefined;
let watchdog: ChildProcess | undefined;

function current(): Ledger {
  ledger ??= {
    // No argv: a command line can carry credentials (--target-url http://user:pass@...).
    owner: { pid: process.pid, startTime: startTimeOf(process.pid), startedAt: new Date().toISOString() },
    processes: [],
    dirs: [],
    containers: [],
  };
  return ledger;
}

function save(): void {
  const l = current();
  const empty = l.processes.length === 0 && l.dirs.length === 0 && l.containers.length === 0;
  const dir = ledgerDir();
  file ??= join(dir, `${process.pid}.json`);
  try {
    if (empty) rmSync(file, { force: true });
    else {
      mkdirSync(dir, { recursive: true });
      writeFileSync(`${file}.tmp`, JSON.stringify(l, null, 2));
      renameSync(`${file}.tmp`, file);
    }
  } catch {
    // An unwritable state dir must not stop a run; the watchdog still covers this process's death.
  }
  tellWatchdog(l);
}

function tellWatchdog(l: Ledger): void {
  if (!watchdog) {
    if (l.processes.length === 0 && l.dirs.length === 0 && l.containers.length === 0) return;
    watchdog = spawn(process.execPath, [fileURLToPath(new URL('./watchdog.mjs', import.meta.url)), file ?? ''], {
      // Its own process group: a Ctrl-C meant for the harness must not take the watchdog with it.
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    watchdog.on('error', () => (watchdog = undefined));
    watchdog.stdin?.on('error', () => {});
    // Neither the child nor its pipe may keep the harness alive.
    watchdog.unref();
    (watchdog.stdin as unknown as Socket | null)?.unref();
  }
  watchdog.stdin?.write(`${JSON.stringify({ processes: l.processes, dirs: l.dirs, containers: l.containers })}\n`);
}

function own<K extends 'processes' | 'dirs' | 'containers'>(key: K, item: Ledger[K][number]): () => void {
  (current()[key] as Array<Ledger[K][number]>).push(item);
  save();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const list = current()[key] as Array<Ledger[K][number]>;
    const i = list.indexOf(item);
    if (i >= 0) list.splice(i, 1);
    save();
  };
}

/** Records a process group this run leads (pgid = the leader's PID); returns the release. */
export function ownProcessGroup(pgid: number, name: string): () => void {
  return own('processes', { pgid, startTime: startTimeOf(pgid), name });
}

export function ownDir(path: string): () => void {
  return own('dirs', path);
}

export function ownContainer(name: string): () => void {
  return own('containers', name);
}
