// `rushgate watch` against a real broker that something else loads: idle (with rushgate's own
// connections present, which must not count) passes; a side process opening connections during the
// watch fails the ceiling. Rules that need the requests are shown as not judged.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createManagementClient } from '../../harness/probe/management-api.ts';
import type { StartedRabbitNode } from '../../harness/stack/rabbitmq-node.ts';
import { leaseBroker } from '../helpers/shared-broker.ts';
import type { RunRecord } from '../../harness/run-record.ts';
import { rushgate } from './spawn-cli.ts';

const OPENER = new URL('./fixtures/open-connections.ts', import.meta.url).pathname;
let node: StartedRabbitNode;
const sides: ChildProcess[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  node = await leaseBroker();
});
afterEach(async () => {
  await Promise.all(sides.splice(0).map(stopSide));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
afterAll(async () => {
  await node?.stop();
});

function managementUrl(): string {
  const u = new URL(node.managementUrl);
  u.username = node.credentials.username;
  u.password = node.credentials.password;
  return u.toString();
}

/** Starts the side process; resolves once its connections are open. */
function openConnections(count: number, name: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', OPENER], {
    env: { ...process.env, AMQP_URL: node.amqpUrl, COUNT: String(count), NAME: name },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  sides.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('OPEN')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`the side process exited (${code}) before opening its connections`)));
  });
}

async function untilListed(count: number, prefix: string): Promise<void> {
  const client = createManagementClient({ url: managementUrl() });
  for (let i = 0; i < 100; i++) {
    const listed = (await client.listConnections()).filter((c) => c.connectionName?.startsWith(prefix));
    if (listed.length >= count) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the management API never listed ${count} ${prefix} connections`);
}

function stopSide(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function watch(durationSec: number) {
  const out = mkdtempSync(join(tmpdir(), 'rushgate-watch-int-'));
  dirs.push(out);
  const run = rushgate(['watch', '--management-url', managementUrl(), '--prometheus-url', node.prometheusUrl, '--duration', `${durationSec}s`, '--out', out]);
  return { run, out, record: () => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunRecord };
}

describe('rushgate watch', () => {
  it('an idle broker passes; rushgate-named connections are excluded; rules needing requests are not judged', async () => {
    await openConnections(2, 'rushgate-probe');
    // The management API lists a new connection only after its statistics interval: the watch can only
    // attribute what it lists, so wait until it does (the sampler counts them at once).
    await untilListed(2, 'rushgate-probe');
    const { run, out, record } = watch(8);
    const res = await run;
    console.log(`idle watch:\n${res.stdout}`);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^PASSED {2}Watched the broker/m);
    for (const rule of ['errors.rate', 'latency.p99', 'load.dropped']) expect(res.stdout).toMatch(new RegExp(`n/a: +${rule.replace('.', '\\.')} +Not judged`));
    for (const f of ['results.json', 'summary.md', 'junit.xml']) expect(existsSync(join(out, f)), f).toBe(true);

    const r = record();
    expect(r.load).toEqual([]);
    expect(r.verdict.passed).toBe(true);
    expect(r.verdict.rules.filter((x) => x.judged === false).map((x) => x.name)).toEqual(['errors.rate', 'latency.p99', 'load.dropped']);
    expect(r.limits['connections.churn']).toBe('<=1/s');
    // The two rushgate-probe connections were the harness's own once the connection list was read.
    const during = r.broker.filter((s) => s.t >= 0);
    expect(during.length).toBeGreaterThan(20);
    expect(during.every((s) => s.harnessConnections === 2 && s.connections === 0)).toBe(true);
    // Re-gating the saved watch gives the same verdict.
    const again = await rushgate(['gate', join(out, 'results.json')]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
  });

  it('a side process opening connections during the watch fails the ceiling', async () => {
    const { run, record } = watch(12);
    await run.waitForStderr(/watching for/);
    await openConnections(5, 'side-load');
    const res = await run;
    console.log(`watch with a side process:\n${res.stdout}`);
    expect(res.code, res.stdout + res.stderr).toBe(1);
    expect(res.stdout).toMatch(/fail: connections\.ceiling +Connections rose to 5, above the ceiling of 2 /);

    const r = record();
    const ceiling = r.verdict.rules.find((x) => x.name === 'connections.ceiling')!;
    expect(ceiling).toMatchObject({ passed: false, value: '5' });
    expect(r.verdict.rules.find((x) => x.name === 'connections.residue')!.passed).toBe(false);
    // Attributed by connection name.
    expect(r.events.some((e) => /side-load#\d 1/.test(e.message))).toBe(true);
  });
});
