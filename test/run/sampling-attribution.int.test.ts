// One short run through the real orchestrator that exercises what a run observes besides the load:
// - broker sampling with a hole: the Prometheus endpoint stalls for 3 s mid-load (behind a proxy), and
//   the hole must be in results.json, on the charts, in summary.md, and named by the rules that judged it;
// - units as the broker saw them: a one-process target started with UNITS=2 is one unit, and its named
//   connections are in the table;
// - --verify-exchange on a target that declares its exchange only when it first publishes.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReports } from '../../harness/report/write-reports.ts';
import { describeTarget } from '../../harness/report/run-view.ts';
import { executeRun } from '../../harness/run/execute-run.ts';
import { formatVerdictLines } from '../../harness/run/print-verdict.ts';
import type { RunRecord } from '../../harness/run-record.ts';
import type { StartedRabbitNode } from '../../harness/stack/rabbitmq-node.ts';
import { leaseBroker } from '../helpers/shared-broker.ts';
import { buildTargets, LOOSE_LATENCY, targetCommand } from '../gate/run-helpers.ts';
import { EXCHANGE } from '../targets/contract-server.ts';

const STALL_MS = 3000;
let node: StartedRabbitNode;
let proxy: Server;
let stallUntil = 0;
let outDir: string;
let record: RunRecord;
let stallStartedSec = -1;
const log: string[] = [];

/** Forwards to the broker's Prometheus endpoint; while stalled, holds each request until the stall ends. */
function startStallingProxy(upstream: string): Promise<string> {
  proxy = createServer((req, res) => {
    void (async () => {
      const wait = stallUntil - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const answer = await fetch(`${upstream}${req.url ?? '/metrics'}`);
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' }).end(await answer.text());
    })().catch(() => res.destroy());
  });
  return new Promise((resolve) => proxy.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`)));
}

buildTargets(['declare-on-publish']);
beforeAll(async () => {
  node = await leaseBroker();
  const prometheusUrl = await startStallingProxy(node.prometheusUrl);
  outDir = mkdtempSync(join(tmpdir(), 'rushgate-sampling-int-'));
  record = await executeRun({
    scenario: 'step-ladder',
    durationSec: 8,
    peakRps: 40,
    baselineSec: 2,
    cooldownSec: 3,
    stack: 'local',
    broker: { ...node, prometheusUrl },
    units: 2,
    targetCommand: targetCommand('declare-on-publish'),
    verifyExchange: EXCHANGE,
    limits: { args: [LOOSE_LATENCY] },
    abortOnFail: false,
    outDir,
    log: (line) => log.push(line),
    // The end of load second 0: stall the endpoint from here for 3 s.
    progress: () => ({
      second: (s) => {
        if (s.t !== 0) return;
        stallStartedSec = 1;
        stallUntil = Date.now() + STALL_MS;
      },
      phase: () => {},
      done: () => {},
    }),
  });
  await writeReports(record, outDir);
}, 120_000);

afterAll(async () => {
  await new Promise<void>((r) => proxy?.close(() => r()));
  await node?.stop();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

const lines = () => formatVerdictLines(record).join('\n');

describe('a run whose broker endpoint stalls for 3 s', () => {
  it('records the hole in results.json with its reason, and the rules that judged across it say so', () => {
    const saved = JSON.parse(readFileSync(join(outDir, 'results.json'), 'utf8')) as RunRecord;
    expect(stallStartedSec).toBe(1);
    // The longest hole in the stall's window: on a loaded machine a slow scrape just before the stall is
    // a short gap of its own (0.58 s seen in CI), and it is not the one this test is about.
    const gap = saved.sampling?.gaps
      .filter((g) => g.to > stallStartedSec && g.from < stallStartedSec + STALL_MS / 1000)
      .sort((a, b) => b.seconds - a.seconds)[0];
    expect(gap, JSON.stringify(saved.sampling)).toBeDefined();
    expect(gap!.seconds, JSON.stringify(saved.sampling)).toBeGreaterThanOrEqual(2);
    expect(gap!.reason).toMatch(/no answer within 2000 ms/);
    expect(saved.sampling!.samples).toBeLessThan(saved.sampling!.expected - 6);
    const churn = saved.verdict.rules.find((r) => r.name === 'connections.churn')!;
    expect(churn.message, lines()).toMatch(/kept counting through the [\d.]+ s without broker samples/);
    // The rules that judge levels over the load name the hole too (the gate model's wording).
    const growth = saved.verdict.rules.find((r) => r.name === 'connections.growth')!;
    expect(growth.message, lines()).toMatch(/no broker samples/);

    const summary = readFileSync(join(outDir, 'summary.md'), 'utf8');
    console.log(`${lines()}\n\n${summary}`);
    expect(summary).toContain('Gaps in broker sampling');
    expect(summary).toMatch(/no answer within 2000 ms/);
    expect(readFileSync(join(outDir, 'report.html'), 'utf8')).toContain('id="sampling-gaps"');
  });
});

describe('a one-process target started with UNITS=2', () => {
  it('is judged as 1 unit, measured from the processes that held broker connections, with its named connections', () => {
    const a = record.attribution!;
    expect(a, JSON.stringify(a)).toMatchObject({ units: 1, unitsSource: 'processes', declaredUnits: 2 });
    const named = Object.fromEntries(a.connections.map((r) => [r.name, r]));
    for (const name of ['lazy-publisher', 'lazy-consumer']) {
      expect(named[name], JSON.stringify(a.connections)).toMatchObject({ baseline: 1, peak: 1, end: 1 });
      expect(named[name]!.unit).toMatch(/^pid \d+ \(node\)$/);
    }
    expect(describeTarget(record)).toContain('1 unit measured, 2 declared');
    const summary = readFileSync(join(outDir, 'summary.md'), 'utf8');
    expect(summary).toMatch(/\| lazy-publisher \| pid \d+ \(node\) \| 1 \| 1 \| 1 \|/);
  });
});

describe('--verify-exchange on a target that declares its exchange on first publish', () => {
  it('binds the tap when the exchange appears, and counts answers before that as not reconciled, not lost', () => {
    const i = record.integrity!;
    expect(i.tapBoundLate, log.join('\n')).toBeDefined();
    expect(i.tapBoundLate!.atSec).toBeGreaterThanOrEqual(0);
    expect(i.acknowledgedButLost.count, lines()).toBe(0);
    expect(i.arrived + (i.notReconciled ?? 0)).toBe(i.acknowledged);
    expect(record.verdict.rules.find((r) => r.name === 'integrity.lost')!.message).toMatch(/bound only at [\d.]+ s, when the target declared exchange/);
  });
});
