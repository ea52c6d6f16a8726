// The container path end to end: a short step ladder against the reference service in a container, with
// the broker in a container, through the same run orchestration the CLI uses. The faulty publisher must
// fail the connection rules and the fixed one must pass, and each run must leave Docker as it found it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../harness/run-record.ts';
import { executeRun } from '../../harness/run/execute-run.ts';
import { OWNER_LABEL } from '../../harness/stack/owned-container.ts';
import type { Publisher } from '../../harness/stack/target-process.ts';
import { BROKER_IMAGE, containersWhere, containerTestsSkipReason, DOCKER_REQUIRED, networkNames, volumeNames } from './testcontainers-gate.ts';

const skipReason = await containerTestsSkipReason();
if (skipReason && DOCKER_REQUIRED) {
  describe('container run tests', () => {
    it('run here, because RUSHGATE_REQUIRE_DOCKER=1 says Docker was started for them', () => {
      throw new Error(`the container tests cannot run: ${skipReason}`);
    });
  });
}

const CONNECTION_RULES = ['connections.ceiling', 'connections.growth', 'connections.residue'];

describe.skipIf(skipReason !== undefined)(`step ladder in containers (${BROKER_IMAGE})${skipReason ? `: skipped, ${skipReason}` : ''}`, () => {
  let outDir: string;
  let networksBefore: string[];
  let volumesBefore: string[];
  const savedImage = process.env.RUSHGATE_BROKER_IMAGE;
  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'rushgate-tc-run-'));
    networksBefore = await networkNames();
    volumesBefore = await volumeNames();
    // executeRun takes the broker image the way the CLI does when no --broker-image is given.
    process.env.RUSHGATE_BROKER_IMAGE = BROKER_IMAGE;
  });
  afterAll(() => {
    if (savedImage === undefined) delete process.env.RUSHGATE_BROKER_IMAGE;
    else process.env.RUSHGATE_BROKER_IMAGE = savedImage;
    rmSync(outDir, { recursive: true, force: true });
  });

  const run = (publisher: Publisher): Promise<RunRecord> =>
    executeRun({
      scenario: 'step-ladder',
      durationSec: 16,
      peakRps: 40,
      baselineSec: 2,
      stack: 'testcontainers',
      publisher,
      units: 2,
      // Two shared cores also run the broker, the service and Docker: latency is not what is judged here.
      limits: { args: ['latency.p99<30s'] },
      abortOnFail: false,
      cooldownSec: 3,
      outDir: join(outDir, publisher),
      log: () => {},
    });

  const ruleOutcome = (record: RunRecord) => Object.fromEntries(record.verdict.rules.map((r) => [r.name, r.passed]));

  it('leaky: connections grow with the ladder and the gate fails on them', async () => {
    const record = await run('leaky');
    expect(record.stack.kind).toBe('testcontainers');
    expect(record.verdict.passed).toBe(false);
    const outcome = ruleOutcome(record);
    for (const rule of CONNECTION_RULES) expect(outcome[rule], rule).toBe(false);
    expect(record.summary.broker.peakConnections).toBeGreaterThan(20);
    expect(await containersWhere({ label: [`${OWNER_LABEL}=${process.pid}`] })).toEqual([]);
  }, 300_000);

  it('shared: connections stay at one per unit and the gate passes', async () => {
    const record = await run('shared');
    expect(record.stack.kind).toBe('testcontainers');
    const outcome = ruleOutcome(record);
    for (const rule of CONNECTION_RULES) expect(outcome[rule], rule).toBe(true);
    expect(record.verdict.passed, JSON.stringify(record.verdict.rules.filter((r) => !r.passed))).toBe(true);
    // Two units' connections plus the consumer's.
    expect(record.summary.broker.peakConnections).toBeLessThanOrEqual(3);
    expect(await containersWhere({ label: [`${OWNER_LABEL}=${process.pid}`] })).toEqual([]);
  }, 300_000);

  it('left no network or volume behind', async () => {
    expect(await networkNames()).toEqual(networksBefore);
    expect(await volumeNames()).toEqual(volumesBefore);
  });
});
