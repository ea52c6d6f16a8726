// However a run dies, nothing of it survives: SIGKILL mid-run (the watchdog stops what it owned) and two
// Ctrl-C one second apart (the kill path) leave no process, no bound port and no temp dir within 10 s.
// A single Ctrl-C in the middle of the load stops everything in order and leaves a report that says it
// was interrupted (test/cli/leftovers.int.test.ts covers a pass and a failed gate). Each run has a
// private TMPDIR and state dir, and its processes carry a marker, so the test judges only its own run.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRunRecord } from '../../harness/report/read-run-record.ts';
import { processesWithMarker, waitUntil } from '../helpers/leftovers.ts';
import { rushgate, type CliRun } from './spawn-cli.ts';

const root = mkdtempSync(join(tmpdir(), 'rushgate-kill-int-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface OwnRun {
  run: CliRun;
  /** Everything the run printed on stderr so far. */
  stderr: () => string;
  marker: string;
  tmp: string;
  state: string;
  out: string;
}

function startRun(name: string, extra: string[] = []): OwnRun {
  const marker = randomUUID();
  const tmp = mkdtempSync(join(root, `${name}-tmp-`));
  const state = join(root, `${name}-state`);
  const out = join(root, `${name}-out`);
  const run = rushgate(
    ['run', '--scenario', 'step-ladder', '--duration', '40s', '--peak-rps', '20', '--units', '1', '--publisher', 'shared', '--out', out, ...extra],
    { env: { RUSHGATE_TEST_MARKER: marker, TMPDIR: tmp, RUSHGATE_STATE_DIR: state }, timeoutMs: 150_000 },
  );
  let stderr = '';
  run.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return { run, stderr: () => stderr, marker, tmp, state, out };
}

/** The broker's and the target's listening ports, read while the run is up. */
function portsOf(r: OwnRun): number[] {
  const brokerDir = readdirSync(r.tmp).find((d) => d.startsWith('rushgate-broker-'));
  const conf = brokerDir ? readFileSync(join(r.tmp, brokerDir, 'rabbitmq.conf'), 'utf8') : '';
  const ports = [...conf.matchAll(/(?:127\.0\.0\.1:|tcp\.port = )(\d+)/g)].map((m) => Number(m[1]));
  const target = /target: .* at http:\/\/127\.0\.0\.1:(\d+)/.exec(r.stderr())?.[1];
  return target ? [...ports, Number(target)] : ports;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

async function expectNothingLeft(r: OwnRun, ports: number[]): Promise<void> {
  const gone = await waitUntil(() => processesWithMarker(r.marker).length === 0, 10_000);
  expect(gone, `still alive: ${processesWithMarker(r.marker).join(', ')}`).toBe(true);
  const bound = (await Promise.all(ports.map(async (p) => ((await accepts(p)) ? p : undefined)))).filter((p) => p !== undefined);
  expect(bound).toEqual([]);
  expect(readdirSync(r.tmp).filter((d) => d.startsWith('rushgate-'))).toEqual([]);
  expect(await waitUntil(() => safeList(join(r.state, 'runs')).length === 0, 5_000)).toBe(true);
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

async function upAndLoading(r: OwnRun): Promise<number[]> {
  await r.run.waitForStderr(/target: /, 120_000);
  // A few seconds into the load: broker, service primary and unit all up.
  await r.run.waitForStderr(/phase /, 60_000);
  expect(processesWithMarker(r.marker).length).toBeGreaterThan(3);
  const ports = portsOf(r);
  expect(ports.length).toBeGreaterThanOrEqual(4);
  return ports;
}

describe('a run killed or interrupted leaves nothing behind', () => {
  it('SIGKILL mid-run: the watchdog stops every process, frees every port, removes the temp dir', async () => {
    const r = startRun('sigkill');
    const ports = await upAndLoading(r);
    r.run.child.kill('SIGKILL');
    const res = await r.run;
    expect(res.code).toBeNull();
    await expectNothingLeft(r, ports);
  }, 200_000);

  it('two Ctrl-C one second apart: exit 130 at once, and nothing is left', async () => {
    const r = startRun('twice');
    const ports = await upAndLoading(r);
    r.run.child.kill('SIGINT');
    await new Promise((res) => setTimeout(res, 1_000));
    r.run.child.kill('SIGINT');
    const res = await r.run;
    expect(res.code).toBe(130);
    expect(res.stderr).toMatch(/SIGINT again: killing everything this run started, now/);
    await expectNothingLeft(r, ports);
  }, 200_000);

  it('one Ctrl-C ~10 s into the load: a schema-valid results.json, report.html and summary.md that say "interrupted"', async () => {
    // The target echoes its AMQP_URL, as a careless service might: target.log must not keep the password.
    const r = startRun('report', ['--target-command', 'echo "starting with AMQP_URL=$AMQP_URL"; exec node --import tsx service/main.ts']);
    await r.run.waitForStderr(/target: /, 120_000);
    await new Promise((res) => setTimeout(res, 13_000)); // 3 s baseline, then ~10 s of load
    r.run.child.kill('SIGINT');
    const res = await r.run;
    expect(res.code, res.stderr).toBe(130);
    expect(res.stderr).toMatch(/SIGINT received, stopping everything this run started/);
    expect(res.stdout).toMatch(/INTERRUPTED \(by SIGINT/);
    const record = await readRunRecord(join(r.out, 'results.json'));
    expect(record.interrupted?.signal).toBe('SIGINT');
    expect(record.interrupted!.atSec).toBeGreaterThan(5);
    expect(record.load.length).toBeGreaterThan(3);
    expect(readFileSync(join(r.out, 'summary.md'), 'utf8')).toMatch(/Run interrupted\*\* by SIGINT/);
    expect(readFileSync(join(r.out, 'report.html'), 'utf8')).toMatch(/Run interrupted<\/strong> by SIGINT/);
    const targetLog = readFileSync(join(r.out, 'target.log'), 'utf8');
    expect(targetLog).toMatch(/AMQP_URL=amqp:\/\/\*\*\*@127\.0\.0\.1/);
    expect(targetLog).not.toMatch(/amqp:\/\/rushgate:/);
    await expectNothingLeft(r, []);
  }, 200_000);
});
