import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { executeRun } from '../../harness/run/execute-run.ts';
import { formatVerdictLines } from '../../harness/run/print-verdict.ts';
import type { RunRecord } from '../../harness/run-record.ts';
import type { Publisher } from '../../harness/stack/target-process.ts';
import { limitConnections, sharedBroker } from '../helpers/shared-broker.ts';
import { BATTERY_FAULTS } from './chaos-battery-scenario.ts';

// The reference service under every fault kind during a real 60 req/s burst (local stack: private broker
// with connection_max 200, the service as 2 units, the proxy on its path to the broker). The fix sheds
// with 503 and recovers under every fault (~60 s); the leak fails the battery's first three (~15 s).
// Both runs share one leased node; connection_max is set on it at run time before each run (the broker
// restart puts the configured one back).
const SCENARIO = new URL('./chaos-battery-scenario.ts', import.meta.url).pathname;
const SHORT_SCENARIO = new URL('./chaos-battery-short-scenario.ts', import.meta.url).pathname;
const CONNECTION_MAX = 200;
const UNITS = 2;
/** The reference service's consumer holds one connection of its own; the idle baseline includes it. */
const CONSUMER_CONNECTIONS = 1;
const dirs: string[] = [];
const broker = sharedBroker();
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function battery(publisher: Publisher, scenario = SCENARIO): Promise<{ record: RunRecord; lines: string }> {
  const outDir = mkdtempSync(join(tmpdir(), `rushgate-chaos-${publisher}-`));
  dirs.push(outDir);
  const node = await limitConnections(broker(), CONNECTION_MAX);
  const record = await executeRun({
    scenario,
    stack: 'local',
    broker: node,
    publisher,
    units: UNITS,
    connectionMax: CONNECTION_MAX,
    limits: { args: [] },
    abortOnFail: false,
    outDir,
    log: () => {},
  });
  return { record, lines: formatVerdictLines(record).join('\n') };
}

const rule = (record: RunRecord, name: string) => record.verdict.rules.find((r) => r.name === name);

describe('chaos battery', () => {
  it('shared: sheds with 503, never 500, holds UNITS+1 connections at every sample, recovers within 5 s, loses nothing', async () => {
    const { record, lines } = await battery('shared');
    const events = record.events;
    expect(events.filter((e) => e.kind === 'fault-start'), lines).toHaveLength(BATTERY_FAULTS);
    expect(events.filter((e) => e.kind === 'fault-end'), lines).toHaveLength(BATTERY_FAULTS);
    expect(events.filter((e) => e.kind === 'note').map((e) => e.message)).toEqual([]);

    const during = record.broker.filter((s) => s.t >= 0 && s.t <= record.summary.durationSec);
    expect(during.length).toBeGreaterThan(100);
    const over = during.filter((s) => s.connections > UNITS + 1 + CONSUMER_CONNECTIONS);
    expect(over, lines).toEqual([]);

    const otherServerErrors = Object.entries(record.summary.status).filter(([code]) => code.startsWith('5') && code !== '503');
    expect(otherServerErrors).toEqual([]);
    // Every fault made the service shed: there were 503s, and 2xx outnumber them.
    expect(record.summary.status['503'] ?? 0).toBeGreaterThan(100);

    for (const name of ['chaos.answers', 'chaos.recovery', 'errors.rate', 'connections.ceiling', 'connections.residue']) {
      expect(rule(record, name)?.passed, `${name}\n${lines}`).toBe(true);
    }
    expect(rule(record, 'chaos.recovery')?.message).toMatch(/^After each of 10 reverts/);
    if (record.integrity) expect(record.integrity.acknowledgedButLost.count, lines).toBe(0);
    expect(record.verdict.passed, lines).toBe(true);
  }, 240_000);

  it('leaky: fails the battery, with 500s under the faults', async () => {
    const { record, lines } = await battery('leaky', SHORT_SCENARIO);
    expect(record.verdict.passed, lines).toBe(false);
    expect(rule(record, 'connections.ceiling')?.passed, lines).toBe(false);
    expect(rule(record, 'chaos.answers')?.passed, lines).toBe(false);
    expect(rule(record, 'chaos.answers')?.message).toMatch(/answered another 5xx \(500 /);
  }, 240_000);
});
