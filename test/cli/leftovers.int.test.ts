// A run leaves nothing behind, whichever way it ends: after a pass and a failed gate (a SIGINT mid-run,
// two, and a SIGKILL: test/cli/kill-and-interrupt.int.test.ts),
// no process the run started (broker, epmd, service units) is alive and its temp dir is gone. Processes
// are found by a marker in their environment, which every child inherits; temp dirs in a TMPDIR private to
// the run, so another rushgate run on the same machine is never counted as this one's leftover.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processesWithMarker, waitUntil } from '../helpers/leftovers.ts';
import { rushgate } from './spawn-cli.ts';

const out = mkdtempSync(join(tmpdir(), 'rushgate-leftovers-int-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** A run with its own TMPDIR and state dir: what is found there afterwards can only be its own. */
function shortRun(publisher: string, marker: string, tmp: string) {
  return rushgate(
    ['run', '--scenario', 'step-ladder', '--duration', '6s', '--peak-rps', '30', '--units', '1', '--publisher', publisher, '--cooldown', '2s', '--out', join(out, `${publisher}-${marker}`), '--limit', 'latency.p99<8s'],
    { env: { RUSHGATE_TEST_MARKER: marker, TMPDIR: tmp, RUSHGATE_STATE_DIR: join(tmp, 'state') } },
  );
}

async function expectNothingLeft(marker: string, tmp: string): Promise<void> {
  expect(await waitUntil(() => processesWithMarker(marker).length === 0, 5_000), `still running: ${processesWithMarker(marker).join(', ')}`).toBe(true);
  expect(readdirSync(tmp).filter((d) => d.startsWith('rushgate-'))).toEqual([]);
}

describe('a run leaves nothing behind', () => {
  it.each([
    ['passes', 'shared', 0],
    ['fails its gate', 'leaky', 1],
  ])('when it %s', async (_, publisher, expectedCode) => {
    const marker = randomUUID();
    const tmp = mkdtempSync(join(out, 'tmp-'));
    const res = await shortRun(publisher as string, marker, tmp);
    expect(res.code, res.stdout + res.stderr).toBe(expectedCode);
    await expectNothingLeft(marker, tmp);
  });
});
