// vitest globalSetup of the integration tiers: the broker pool (pool.ts) in the main process, lent to
// test files through a small HTTP API on loopback (test workers are other processes). Both tiers name
// this file; they share one pool, kept on globalThis, which lives as long as the main process.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestProject } from 'vitest/node';
import { rabbitmqInstalled } from '../../../harness/stack/rabbitmq-node.ts';
import { BrokerPool } from './pool.ts';
import type { BrokerPoolAccess, LeasedBrokerInfo } from './protocol.ts';

/** Nodes started before any file asks, while the unit tier runs: the first integration files' leases (the clients-* files take 2, 1, 1). */
const WARM = Number(process.env.RUSHGATE_BROKER_POOL_WARM ?? 4);
/**
 * Nodes alive at most: four files at a time, some take 2 (when the three clients-* files each took 2, a
 * pool of 6 left one of them holding one node and waiting ~110 s for its second: clients-pools took 406 s
 * against 292 s; 312 s with 8). A lease waits past it.
 */
const MAX = Number(process.env.RUSHGATE_BROKER_POOL_MAX ?? 8);

interface PoolServer {
  access: BrokerPoolAccess;
  users: number;
  close(): Promise<void>;
}

const KEY = Symbol.for('rushgate.test.broker-pool');
type WithPool = typeof globalThis & { [KEY]?: Promise<PoolServer> };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const g = globalThis as WithPool;
  g[KEY] ??= startPoolServer();
  const server = await g[KEY];
  server.users++;
  project.provide('rushgateBrokerPool', server.access);
  return async () => {
    if (--server.users > 0) return;
    delete g[KEY];
    await server.close();
  };
}

async function startPoolServer(): Promise<PoolServer> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const pool = new BrokerPool({ max: MAX, log });
  const token = randomBytes(16).toString('hex');
  const http: Server = createServer((req, res) => {
    void handle(pool, token, req, res).catch((err: unknown) => reply(res, 500, { error: String(err) }));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  // Without rabbitmq-server every lease fails the same way a file's own start would: no point warming.
  if (rabbitmqInstalled()) pool.warm(WARM);
  return {
    access: { url: `http://127.0.0.1:${port}`, token },
    users: 0,
    close: async () => {
      log(`broker pool: ${pool.stats.started} nodes started for ${pool.stats.leases} leases, ${pool.stats.discarded} not reusable`);
      await pool.close();
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
    },
  };
}

async function handle(pool: BrokerPool, token: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST' || req.headers.authorization !== `Bearer ${token}`) return reply(res, 403, { error: 'forbidden' });
  let gone = false;
  res.on('close', () => {
    gone = !res.writableFinished;
  });
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { file?: string; id?: string; args?: string[]; downMs?: number; node?: string; expr?: string; notBefore?: number; how?: 'orderly' | 'kill' };
  switch (req.url) {
    case '/lease': {
      const pooled = await pool.lease(body.file ?? 'a test file', () => !gone);
      // The lessee gave up while its node was being handed over: take it straight back.
      if (gone) return pool.release(pooled.id);
      const { node } = pooled;
      const info: LeasedBrokerInfo = {
        id: pooled.id,
        amqpUrl: node.amqpUrl,
        managementUrl: node.managementUrl,
        prometheusUrl: node.prometheusUrl,
        credentials: node.credentials,
        nodeName: node.nodeName,
      };
      return reply(res, 200, info);
    }
    case '/release':
      await pool.release(String(body.id));
      return reply(res, 200, {});
    case '/ctl': {
      const pooled = pool.get(String(body.id));
      pooled.tainted = true;
      return reply(res, 200, { stdout: await pooled.node.ctl(body.args ?? []) });
    }
    case '/erl': {
      // Faults go through the node's control channel, as in a run; what they change is not worth resetting.
      const pooled = pool.get(String(body.id));
      pooled.tainted = true;
      return reply(res, 200, { stdout: await pooled.node.erl(body.node, String(body.expr), body.notBefore) });
    }
    case '/halt': {
      const pooled = pool.get(String(body.id));
      pooled.tainted = true;
      await pooled.node.halt(body.how === 'kill' ? 'kill' : 'orderly');
      return reply(res, 200, { running: pooled.node.running() });
    }
    case '/resume': {
      const pooled = pool.get(String(body.id));
      pooled.tainted = true;
      await pooled.node.resume();
      return reply(res, 200, { running: pooled.node.running() });
    }
    case '/restart': {
      const pooled = pool.get(String(body.id));
      pooled.tainted = true;
      await pooled.node.restart(body.downMs);
      return reply(res, 200, {});
    }
    default:
      return reply(res, 404, { error: `no ${req.url}` });
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
