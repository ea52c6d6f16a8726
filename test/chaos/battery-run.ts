import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { executeRun } from '../../harness/run/execute-run.ts';
import { formatVerdictLines } from '../../harness/run/print-verdict.ts';
import type { RunRecord } from '../../harness/run-record.ts';
import type { Publisher } from '../../harness/stack/target-process.ts';
import { limitConnections, sharedBroker } from '../helpers/shared-broker.ts';

// The chaos battery's run, shared by its two files: the reference service under every fault kind during a
// real 60 req/s burst (local stack: a leased node with connection_max 200 set at run time before each run,
// the service as 2 units, the proxy on its path to the broker). The fix sheds with 503 and recovers under
// every fault (~60 s, chaos-battery.int: judged on recovery times, so in the timed tier); the leak fails the
// battery's first three (~15 s, chaos-battery-leaky.int: judged on what it answered, beside other files).
export const SCENARIO = new URL('./chaos-battery-scenario.ts', import.meta.url).pathname;
export const SHORT_SCENARIO = new URL('./chaos-battery-short-scenario.ts', import.meta.url).pathname;
const CONNECTION_MAX = 200;
export const UNITS = 2;
/** The reference service's consumer holds one connection of its own; the idle baseline includes it. */
export const CONSUMER_CONNECTIONS = 1;

/** One leased node for the file's runs; call at the file's top level (it registers the file's hooks). */
export function batteryRunner(): (publisher: Publisher, scenario?: string) => Promise<{ record: RunRecord; lines: string }> {
  const dirs: string[] = [];
  const broker = sharedBroker();
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return async (publisher, scenario = SCENARIO) => {
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
  };
}

export const rule = (record: RunRecord, name: string) => record.verdict.rules.find((r) => r.name === name);
