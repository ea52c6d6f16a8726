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
import { BROKER_IMAGE, containersWhere, containerTestsSkipReason, DOCKER_REQUIRED, heldBy, networkNames, volumeNames } from './testcontainers-gate.ts';

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
  // Only what this file's containers hold is judged: other container files run beside this one and may
  // create networks or volumes of their own. Its containers live only inside executeRun, so what they hold
  // is read while the runs go.
  const held = { networks: new Set<string>(), volumes: new Set<string>() };
  let watching = true;
  let watcher: Promise<void> | undefined;
  const savedImage = process.env.RUSHGATE_BROKER_IMAGE;
  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'rushgate-tc-run-'));
    watcher = (async () => {
      while (watching) {
        const h = await heldBy({ label: [`${OWNER_LABEL}=${process.pid}`] }).catch(() => undefined);
        for (const n of h?.networks ?? []) held.networks.add(n);
        for (const v of h?.volumes ?? []) held.volumes.add(v);
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    // executeRun takes the broker image the way the CLI does when no --broker-image is given.
    process.env.RUSHGATE_BROKER_IMAGE = BROKER_IMAGE;
  });
  afterAll(async () => {
    watching = false;
    await watcher;
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
    watching = false;
    await watcher;
    expect((await networkNames()).filter((n) => held.networks.has(n))).toEqual([]);
    expect((await volumeNames()).filter((v) => held.volumes.has(v))).toEqual([]);
  });
});
