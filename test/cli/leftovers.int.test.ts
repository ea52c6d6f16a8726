// A run leaves nothing behind, whichever way it ends: after a pass, a failed gate and a SIGINT mid-run,
// no process the run started (broker, epmd, service units) is alive and its temp dir is gone. Processes
// are found by a marker in their environment, which every child inherits.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processesWithMarker, rushgateTempDirs, waitUntil } from '../helpers/leftovers.ts';
import { rushgate } from './spawn-cli.ts';

const out = mkdtempSync(join(tmpdir(), 'rushgate-leftovers-int-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function shortRun(publisher: string, marker: string) {
  return rushgate(
    ['run', '--scenario', 'step-ladder', '--duration', '6s', '--peak-rps', '30', '--units', '1', '--publisher', publisher, '--cooldown', '2s', '--out', join(out, `${publisher}-${marker}`), '--limit', 'latency.p99<8s'],
    { env: { RUSHGATE_TEST_MARKER: marker } },
  );
}

async function expectNothingLeft(marker: string, dirsBefore: Set<string>): Promise<void> {
  expect(await waitUntil(() => processesWithMarker(marker).length === 0, 5_000), `still running: ${processesWithMarker(marker).join(', ')}`).toBe(true);
  expect(rushgateTempDirs().filter((d) => d.startsWith('rushgate-broker-') && !dirsBefore.has(d))).toEqual([]);
}

describe('a run leaves nothing behind', () => {
  it.each([
    ['passes', 'shared', 0],
    ['fails its gate', 'leaky', 1],
  ])('when it %s', async (_, publisher, expectedCode) => {
    const marker = randomUUID();
    const before = new Set(rushgateTempDirs());
    const res = await shortRun(publisher as string, marker);
    expect(res.code, res.stdout + res.stderr).toBe(expectedCode);
    await expectNothingLeft(marker, before);
  });

  it('when it is interrupted with SIGINT mid-run', async () => {
    const marker = randomUUID();
    const before = new Set(rushgateTempDirs());
    const run = shortRun('shared', marker);
    await run.waitForStderr(/target: /, 60_000);
    expect(processesWithMarker(marker).length).toBeGreaterThan(3);
    run.child.kill('SIGINT');
    const res = await run;
    expect(res.code).toBe(130);
    expect(res.stderr).toMatch(/SIGINT received, stopping everything this run started/);
    await expectNothingLeft(marker, before);
  });
});
