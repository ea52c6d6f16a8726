// A broker cluster on containers: `--broker-nodes 3 --stack testcontainers` starts three containers of the
// one broker image as one cluster, the reference service (in its own container) runs a short, slow `shared`
// load against all three, every node is sampled on its own, and the run leaves no container behind.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunRecord, writeReports } from '../../harness/report/write-reports.ts';
import type { RunRecord } from '../../harness/run-record.ts';
import { executeRun } from '../../harness/run/execute-run.ts';
import { OWNER_LABEL } from '../../harness/stack/owned-container.ts';
import { BROKER_IMAGE, containersWhere, containerTestsSkipReason, DOCKER_REQUIRED } from './testcontainers-gate.ts';

const skipReason = await containerTestsSkipReason();
if (skipReason && DOCKER_REQUIRED) {
  describe('container cluster tests', () => {
    it('run here, because RUSHGATE_REQUIRE_DOCKER=1 says Docker was started for them', () => {
      throw new Error(`the container tests cannot run: ${skipReason}`);
    });
  });
}

describe.skipIf(skipReason !== undefined)(`3-node broker cluster in containers (${BROKER_IMAGE})${skipReason ? `: skipped, ${skipReason}` : ''}`, () => {
  let outDir: string;
  const savedImage = process.env.RUSHGATE_BROKER_IMAGE;
  beforeAll(() => {
    outDir = mkdtempSync(join(tmpdir(), 'rushgate-tc-cluster-'));
    // executeRun takes the broker image the way the CLI does when no --broker-image is given.
    process.env.RUSHGATE_BROKER_IMAGE = BROKER_IMAGE;
  });
  afterAll(() => {
    if (savedImage === undefined) delete process.env.RUSHGATE_BROKER_IMAGE;
    else process.env.RUSHGATE_BROKER_IMAGE = savedImage;
    rmSync(outDir, { recursive: true, force: true });
  });

  it('starts, passes a shared run with every node sampled, and leaves nothing behind', async () => {
    const began = Date.now();
    let stackUpSec: number | undefined;
    const record: RunRecord = await executeRun({
      scenario: 'step-ladder',
      durationSec: 5,
      peakRps: 8,
      baselineSec: 2,
      stack: 'testcontainers',
      brokerNodes: 3,
      publisher: 'shared',
      units: 2,
      // Two shared cores run three brokers, the service and Docker: latency is not what is judged here.
      limits: { args: ['latency.p99<30s'] },
      abortOnFail: false,
      cooldownSec: 2,
      outDir,
      log: (line) => {
        if (line.startsWith('target:')) stackUpSec = (Date.now() - began) / 1000;
      },
    });
    process.stderr.write(`container cluster: stack (3 brokers + service) up after ${stackUpSec} s; whole run ${(Date.now() - began) / 1000} s\n`);

    expect(record.stack.kind).toBe('testcontainers');
    expect(record.verdict.passed, JSON.stringify(record.verdict.rules.filter((r) => !r.passed))).toBe(true);
    // What a user gets: the saved results.json, read back.
    await writeReports(record, outDir, { charts: false, githubStepSummary: false });
    const saved = await readRunRecord(join(outDir, 'results.json'));
    const nodes = saved.brokerNodes?.map((n) => n.node) ?? [];
    expect(new Set(nodes).size).toBe(3);
    const sampledNodes = new Set(saved.broker.flatMap((s) => (s.nodes ?? []).map((n) => n.node)));
    expect([...sampledNodes].sort()).toEqual([...nodes].sort());
    // Every sample of a healthy cluster has all three nodes.
    expect(saved.broker.filter((s) => s.nodes?.length === 3).length).toBeGreaterThan(saved.broker.length / 2);
    expect(await containersWhere({ label: [`${OWNER_LABEL}=${process.pid}`] })).toEqual([]);
  }, 300_000);
});
