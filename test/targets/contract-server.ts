// The HTTP half of the target contract, shared by the from-scratch test targets: PORT on 127.0.0.1,
// GET /healthz, and the scenario's PUT/POST routes with any body. Each target only decides how it
// gets an AMQP channel to publish on; that choice is what the gate is meant to judge.
import { createServer, type IncomingMessage } from 'node:http';
import type { Channel } from 'amqplib';

export const EXCHANGE = 'rushgate.test-targets';
const ROUTES = [/^\/api\/v1\/stores\/[^/]+\/items\/[^/]+$/, /^\/api\/v1\/stores\/[^/]+\/items$/, /^\/api\/v1\/stores\/[^/]+\/matchings$/];

export interface ContractServerOptions {
  /** The channel to publish request number `n` (1-based) on. */
  channelFor: (n: number) => Promise<Channel>;
  /** Closes what the target opened, on SIGTERM/SIGINT. */
  close: () => Promise<void>;
}

export function serveContract(opts: ContractServerOptions): void {
  serveCalls({
    publish: async (body, requestId, n) => {
      const channel = await opts.channelFor(n);
      channel.publish(EXCHANGE, 'item.update', body, { messageId: requestId });
    },
    close: opts.close,
  });
}

export interface CallServerOptions {
  /** Publishes accepted request number `n` (1-based); the call is answered 202 once this resolves. */
  publish: (body: Buffer, requestId: string, n: number) => Promise<void>;
  /** Closes what the target opened, on SIGTERM/SIGINT. */
  close: () => Promise<void>;
}

/** Answers the contract's routes with whatever publishes the calls: a library-agnostic target's HTTP half. */
export function serveCalls(opts: CallServerOptions): void {
  let requests = 0;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method === 'GET' && path === '/healthz') return void res.end('ok');
    if ((req.method !== 'PUT' && req.method !== 'POST') || !ROUTES.some((r) => r.test(path))) {
      res.statusCode = 404;
      return void res.end();
    }
    const n = ++requests;
    readBody(req)
      .then((body) => opts.publish(body, String(req.headers['x-request-id'] ?? n), n))
      .then(() => {
        res.statusCode = 202;
        res.end('{"accepted":true}');
      })
      .catch((err: Error) => {
        res.statusCode = 500;
        res.end(JSON.stringify({ error: err.message }));
      });
  });
  server.listen(Number(process.env.PORT), '127.0.0.1');
  const shutdown = () => {
    server.close();
    // A library that hangs on close must not hold the harness up: exit after a short grace either way.
    setTimeout(() => process.exit(0), 3_000).unref();
    void opts.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Connection options every target uses: named, so reports can attribute it; no Nagle delay. */
export function connectOptions(name: string) {
  return { noDelay: true, timeout: 5000, clientProperties: { connection_name: name } };
}
