import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../harness/paths.ts';
import { startRabbitNode, type StartedRabbitNode } from '../../harness/stack/rabbitmq-node.ts';
import { processesWithMarker, waitUntil } from '../helpers/leftovers.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function brokerConnections(node: StartedRabbitNode): Promise<number> {
  const text = await (await fetch(`${node.prometheusUrl}/metrics`)).text();
  return Number(/^rabbitmq_connections (\d+)/m.exec(text)?.[1] ?? NaN);
}

describe('private RabbitMQ node', () => {
  // Under a TMPDIR of its own, so the last case can check that stop() removed the node's temp dir (another
  // run's temp dirs on this machine are not this node's).
  const tmp = mkdtempSync(join(tmpdir(), 'own-tmp-'));
  let node: StartedRabbitNode;
  beforeAll(async () => {
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    node = await startRabbitNode({ connectionMax: 5 }).finally(() => (saved === undefined ? delete process.env.TMPDIR : (process.env.TMPDIR = saved)));
  });
  afterAll(async () => {
    await node?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('takes AMQP connections with its generated credentials and counts them on the Prometheus endpoint', async () => {
    const conn = await amqp.connect(node.amqpUrl, { noDelay: true });
    await sleep(100);
    expect(await brokerConnections(node)).toBe(1);
    await conn.close();
    await sleep(100);
    expect(await brokerConnections(node)).toBe(0);
  });

  it('restarts on the same ports, dropping connections and taking new ones after', async () => {
    const conn = await amqp.connect(node.amqpUrl, { noDelay: true });
    const closed = new Promise<void>((r) => conn.once('close', () => r()));
    conn.on('error', () => {});
    await node.restart(200);
    await closed;
    const again = await amqp.connect(node.amqpUrl, { noDelay: true });
    await again.close();
  });

  it('refuses the management API without credentials', async () => {
    const res = await fetch(`${node.managementUrl}/api/overview`);
    expect(res.status).toBe(401);
  });

  it('enforces connection_max softly: past the cap a new connection gets no answer', async () => {
    const conns = [];
    for (let i = 0; i < 5; i++) conns.push(await amqp.connect(node.amqpUrl, { noDelay: true, timeout: 3000 }));
    // The broker admits a few past the soft limit; keep connecting until one hangs, bounded at 20.
    let refusedAt = -1;
    for (let i = 5; i < 20; i++) {
      try {
        conns.push(await amqp.connect(node.amqpUrl, { noDelay: true, timeout: 1500 }));
      } catch {
        refusedAt = i;
        break;
      }
    }
    expect(refusedAt).toBeGreaterThanOrEqual(5);
    await Promise.all(conns.map((c) => c.close().catch(() => {})));
  });

  // Last: the node the cases above used (one node start fewer than a node of its own).
  it('stop() leaves no process and no temp dir behind', async () => {
    expect(readdirSync(tmp).filter((d) => d.startsWith('rushgate-'))).toHaveLength(1);
    await node.stop();
    expect(readdirSync(tmp)).toEqual([]);
    await expect(fetch(`${node.managementUrl}/api/overview`)).rejects.toThrow();
  });
});

describe('cleanup', () => {
  // Each case gets a TMPDIR of its own: another run's temp dirs on this machine are not this node's.
  it('SIGINT to the harness stops the broker, its epmd and removes the temp dir', async () => {
    const marker = randomUUID();
    const tmp = mkdtempSync(join(tmpdir(), 'own-tmp-'));
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test/helpers/hold-broker.ts')], {
      cwd: REPO_ROOT,
      env: { ...process.env, RUSHGATE_TEST_MARKER: marker, TMPDIR: tmp, RUSHGATE_STATE_DIR: join(tmp, 'state') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    expect(await waitUntil(() => output.includes('READY'), 60_000)).toBe(true);
    expect(processesWithMarker(marker).length).toBeGreaterThan(2);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(await waitUntil(() => processesWithMarker(marker).length === 0, 5_000)).toBe(true);
    expect(readdirSync(tmp).filter((d) => d.startsWith('rushgate-'))).toEqual([]);
    rmSync(tmp, { recursive: true, force: true });
  });
});
