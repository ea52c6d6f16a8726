// Test targets with APIs that are not the reference contract (issue 13), one per API env value. Each
// publishes every accepted call with AMQP messageId = the client's request id, wherever the API takes it:
//   tenants   POST /oauth/token (form: client_id, client_secret = $CLIENT_SECRET) -> {access_token};
//             POST /v2/tenants/:tenant/products (JSON, Authorization: Bearer <token>, X-Request-Id) -> 201
//   body-id   POST /events (JSON {clientRef, ...}; the id is clientRef, no id header) -> 202
//   form      POST /stock (application/x-www-form-urlencoded ref=<id>&sku=&qty=) -> 200
// Anything else answers 404; a missing token 401; a body without its id 400.
import { randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import amqp from 'amqplib';
import { connectOptions, EXCHANGE, listenUntilStopped } from './contract-server.ts';

const api = process.env.API ?? 'tenants';
const connection = await amqp.connect(process.env.AMQP_URL as string, connectOptions(`other-apis-${api}`));
const channel = await connection.createChannel();
await channel.assertExchange(EXCHANGE, 'topic', { durable: false });
const token = randomBytes(12).toString('hex');

const send = (res: ServerResponse, status: number, body: object) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
const publish = (id: string, body: Buffer) => channel.publish(EXCHANGE, `${api}.update`, body, { messageId: id });

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks);
    const path = (req.url ?? '/').split('?')[0] as string;
    if (req.method === 'GET' && path === '/healthz') return send(res, 200, { ok: true });
    if (api === 'tenants' && req.method === 'POST' && path === '/oauth/token') {
      const form = new URLSearchParams(raw.toString());
      if (form.get('client_secret') !== process.env.CLIENT_SECRET) return send(res, 401, { error: 'bad client secret' });
      return send(res, 200, { access_token: token, token_type: 'Bearer' });
    }
    if (api === 'tenants' && req.method === 'POST' && /^\/v2\/tenants\/[a-z]+\/products$/.test(path)) {
      if (req.headers.authorization !== `Bearer ${token}`) return send(res, 401, { error: 'missing or wrong bearer token' });
      const body = JSON.parse(raw.toString()) as { sku?: unknown; price?: unknown };
      if (typeof body.sku !== 'string' || typeof body.price !== 'number') return send(res, 400, { error: 'sku (string) and price (number) required' });
      publish(String(req.headers['x-request-id']), raw);
      return send(res, 201, { created: body.sku });
    }
    if (api === 'body-id' && req.method === 'POST' && path === '/events') {
      const body = JSON.parse(raw.toString()) as { clientRef?: unknown };
      if (typeof body.clientRef !== 'string' || req.headers['x-request-id'] !== undefined) return send(res, 400, { error: 'clientRef required in the body (and no X-Request-Id)' });
      publish(body.clientRef, raw);
      return send(res, 202, { accepted: body.clientRef });
    }
    if (api === 'form' && req.method === 'POST' && path === '/stock') {
      if (req.headers['content-type'] !== 'application/x-www-form-urlencoded') return send(res, 415, { error: 'form bodies only' });
      const form = new URLSearchParams(raw.toString());
      const ref = form.get('ref');
      if (!ref || !form.get('sku') || Number.isNaN(Number(form.get('qty')))) return send(res, 400, { error: 'ref, sku and qty required' });
      publish(ref, raw);
      return send(res, 200, { ok: true });
    }
    send(res, 404, { error: 'unknown route', method: req.method, path });
  });
});
listenUntilStopped(server, () => connection.close());
