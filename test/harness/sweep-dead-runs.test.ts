// What a dead run left is found from its ledger and removed, and the user is told; a live run's ledger,
// a PID now used by another process, and paths rushgate never names are left alone.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { groupMembers, startTimeOf } from '../../harness/lifecycle/process-table.mjs';
import { sweepDeadRuns } from '../../harness/lifecycle/sweep-dead-runs.ts';
import { waitUntil } from '../helpers/leftovers.ts';

const root = mkdtempSync(join(tmpdir(), 'rushgate-sweep-test-'));
const started: number[] = [];
afterAll(() => {
  for (const pid of started) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already stopped by the sweep, as it should be.
    }
  }
  rmSync(root, { recursive: true, force: true });
});

/** A process group of two sleeps, as a broker and its helper would be. */
function orphanGroup(): number {
  const child = spawn('/bin/sh', ['-c', 'sleep 60 & sleep 60'], { detached: true, stdio: 'ignore' });
  child.unref();
  started.push(child.pid!);
  return child.pid!;
}

const alive = (pid: number) => startTimeOf(pid) !== undefined;

describe('sweepDeadRuns', () => {
  it('stops the groups and removes the temp dirs of a run whose owner is gone, and says so', async () => {
    const ledgers = join(root, 'runs-dead');
    mkdirSync(ledgers);
    const pgid = orphanGroup();
    // Both sleeps forked, not only the shell: on a loaded machine the sweep could otherwise find one member.
    await waitUntil(() => groupMembers(pgid, startTimeOf(pgid)).length >= 2, 5_000);
    const temp = mkdtempSync(join(root, 'rushgate-broker-'));
    const notOurs = mkdtempSync(join(root, 'precious-'));
    // A PID that is not running (PID 1's start time is 1; no process has this PID with this start time).
    writeFileSync(
      join(ledgers, '999999.json'),
      JSON.stringify({ owner: { pid: 999_999, startTime: 1, startedAt: 'yesterday' }, processes: [{ pgid, startTime: startTimeOf(pgid), name: 'broker' }], dirs: [temp, notOurs], containers: [] }),
    );
    const said: string[] = [];
    const swept = await sweepDeadRuns((l) => said.push(l), ledgers);
    expect(swept).toHaveLength(1);
    expect(swept[0]!.processes).toBeGreaterThanOrEqual(2);
    expect(await waitUntil(() => !alive(pgid), 5_000)).toBe(true);
    expect(existsSync(temp)).toBe(false);
    expect(existsSync(notOurs)).toBe(true);
    expect(existsSync(join(ledgers, '999999.json'))).toBe(false);
    expect(said.join('\n')).toMatch(/run 999999 \(started yesterday\) died without cleaning up; stopped \d+ of its processes, removed 1 temp dir/);
  });

  it("leaves a live run's ledger and processes alone", async () => {
    const ledgers = join(root, 'runs-live');
    mkdirSync(ledgers);
    const pgid = orphanGroup();
    await waitUntil(() => alive(pgid), 2_000);
    const owner = { pid: process.ppid, startTime: startTimeOf(process.ppid), startedAt: 'now' };
    writeFileSync(join(ledgers, `${process.ppid}.json`), JSON.stringify({ owner, processes: [{ pgid, startTime: startTimeOf(pgid), name: 'x' }], dirs: [], containers: [] }));
    const said: string[] = [];
    expect(await sweepDeadRuns((l) => said.push(l), ledgers)).toEqual([]);
    expect(alive(pgid)).toBe(true);
    expect(said).toEqual([]);
    process.kill(-pgid, 'SIGKILL');
  });

  it('never signals a reused PID: a group whose leader started at another time is not ours', async () => {
    const ledgers = join(root, 'runs-reused');
    mkdirSync(ledgers);
    const pgid = orphanGroup();
    await waitUntil(() => alive(pgid), 2_000);
    writeFileSync(
      join(ledgers, '999998.json'),
      JSON.stringify({ owner: { pid: 999_998, startTime: 1, startedAt: 'then' }, processes: [{ pgid, startTime: startTimeOf(pgid)! + 1_000_000, name: 'old' }], dirs: [], containers: [] }),
    );
    const swept = await sweepDeadRuns(() => {}, ledgers);
    expect(swept[0]!.processes).toBe(0);
    expect(alive(pgid)).toBe(true);
    process.kill(-pgid, 'SIGKILL');
  });
});
