// The next run, and `rushgate cleanup`, finish what a dead run could not: every ledger whose owner is
// gone (or whose PID now belongs to another process) has its process groups stopped, its temp dirs and
// containers removed, and the user is told what was found.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { isSameProcess, stopGroups } from './process-table.mjs';
import { ledgerDir, type Ledger } from './run-ledger.ts';

export interface SweptRun {
  pid: number;
  startedAt: string;
  processes: number;
  dirs: number;
  containers: number;
}

/** Cleans up after every dead run in the ledger dir; `say` gets one line per run that left something. */
export async function sweepDeadRuns(say: (line: string) => void, dir: string = ledgerDir()): Promise<SweptRun[]> {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => /^\d+\.json$/.test(f));
  } catch {
    return [];
  }
  const swept: SweptRun[] = [];
  for (const f of files) {
    const path = join(dir, f);
    const ledger = readLedger(path);
    if (!ledger) {
      rmSync(path, { force: true });
      continue;
    }
    const { pid, startTime, startedAt } = ledger.owner;
    if (pid === process.pid || isSameProcess(pid, startTime)) continue;
    const processes = await stopGroups(ledger.processes, 2_000);
    // Only what rushgate itself names: a damaged ledger must never turn into `rm -rf` of anything else.
    const dirs = ledger.dirs.filter((d) => basename(d).startsWith('rushgate-'));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    const containers = ledger.containers.filter((c) => c.startsWith('rushgate-'));
    for (const c of containers) await promisify(execFile)('docker', ['rm', '-f', '-v', c], { timeout: 20_000 }).catch(() => undefined);
    rmSync(path, { force: true });
    const run: SweptRun = { pid, startedAt, processes, dirs: dirs.length, containers: containers.length };
    if (processes + run.dirs + run.containers > 0) {
      say(
        `run ${pid} (started ${startedAt}) died without cleaning up; stopped ${processes} of its processes, ` +
          `removed ${run.dirs} temp dir${run.dirs === 1 ? '' : 's'} and ${run.containers} container${run.containers === 1 ? '' : 's'}.`,
      );
    }
    swept.push(run);
  }
  return swept;
}

function readLedger(path: string): Ledger | undefined {
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as Partial<Ledger>;
    const owner = data.owner;
    if (!owner || !Number.isInteger(owner.pid)) return undefined;
    const list = <T>(v: unknown, ok: (x: unknown) => x is T): T[] => (Array.isArray(v) ? v.filter(ok) : []);
    return {
      owner: { pid: owner.pid, startTime: typeof owner.startTime === 'number' ? owner.startTime : undefined, startedAt: String(owner.startedAt ?? 'at an unknown time') },
      processes: list(data.processes, (p): p is Ledger['processes'][number] => typeof p === 'object' && p !== null && Number.isInteger((p as { pgid?: unknown }).pgid) && (p as { pgid: number }).pgid > 1),
      dirs: list(data.dirs, (d): d is string => typeof d === 'string'),
      containers: list(data.containers, (c): c is string => typeof c === 'string'),
    };
  } catch {
    return undefined;
  }
}
