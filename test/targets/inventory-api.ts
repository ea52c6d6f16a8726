// Test target implementing test/calls/openapi/inventory.yaml, strictly: a bearer token ($API_TOKEN), the
// X-Correlation-Id header, the path parameters' enums and ranges and the bodies' types are checked, and
// anything off answers 4xx. Accepted calls are published with messageId = the correlation id.
import { createServer, type ServerResponse } from 'node:http';
import amqp from 'amqplib';
import { connectOptions, EXCHANGE, listenUntilStopped } from './contract-server.ts';

const connection = await amqp.connect(process.env.AMQP_URL as string, connectOptions('inventory-api'));
const channel = await connection.createChannel();
await channel.assertExchange(EXCHANGE, 'topic', { durable: false });

const answer = (res: ServerResponse, status: number, body?: object) => {
  res.writeHead(status, body ? { 'content-type': 'application/json' } : {});
  res.end(body ? JSON.stringify(body) : undefined);
};

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks).toString();
    const path = (req.url ?? '/').split('?')[0] as string;
    if (req.method === 'GET' && path === '/healthz') return answer(res, 200, { ok: true });
    if (req.headers.authorization !== `Bearer ${process.env.API_TOKEN}`) return answer(res, 401, { error: 'bearer token required' });
    const id = req.headers['x-correlation-id'];
    if (typeof id !== 'string' || id === '') return answer(res, 400, { error: 'X-Correlation-Id required' });
    let m: RegExpExecArray | null;
    const json = (): Record<string, unknown> | undefined => {
      try {
        return req.headers['content-type'] === 'application/json' ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
      } catch {
        return undefined;
      }
    };
    let ok = false;
    let status = 200;
    if (req.method === 'POST' && (m = /^\/v1\/warehouses\/([^/]+)\/stock$/.exec(path))) {
      const b = json();
      ok = ['ber-1', 'ham-2', 'muc-3'].includes(m[1] as string) && typeof b?.sku === 'string' && Number.isInteger(b.quantity) && (b.quantity as number) >= 0 && (b.quantity as number) <= 1000 && !Number.isNaN(Date.parse(String(b.changedAt)));
      status = 201;
    } else if (req.method === 'PUT' && /^\/v1\/prices\/[^/]+$/.test(path)) {
      const b = json();
      ok = typeof b?.currency === 'string' && typeof b.amount === 'number';
    } else if (req.method === 'PATCH' && (m = /^\/v1\/labels\/(\d+)$/.exec(path))) {
      const form = new URLSearchParams(raw);
      ok = req.headers['content-type'] === 'application/x-www-form-urlencoded' && Number(m[1]) >= 1 && Number(m[1]) <= 99999 && ['printed', 'queued'].includes(form.get('status') ?? '');
      status = 204;
    } else return answer(res, 404, { error: 'unknown route', method: req.method, path });
    if (!ok) return answer(res, 400, { error: 'body or parameters do not match the spec', path });
    channel.publish(EXCHANGE, 'inventory.update', Buffer.from(raw), { messageId: id });
    answer(res, status, status === 204 ? undefined : { ok: true });
  });
});
listenUntilStopped(server, () => connection.close());
