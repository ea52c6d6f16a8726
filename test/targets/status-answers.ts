// Test target for status classes (issue 17), one habit per ANSWERS mode, publishing like fixed-pool:
//   not-found   every call answers 404 {"error":"unknown route"} (a scenario written for another API);
//   some-400    every 10th call answers 400 {"error":"invalid field price"}, the rest 202;
//   shed-429    while the broker blocks its connection (memory alarm), 429 + Retry-After; else 202.
import { createServer } from 'node:http';
import amqp from 'amqplib';
import { connectOptions, EXCHANGE, listenUntilStopped } from './contract-server.ts';

const mode = process.env.ANSWERS ?? 'not-found';
const connection = await amqp.connect(process.env.AMQP_URL as string, connectOptions(`status-answers-${mode}`));
const channel = await connection.createChannel();
await channel.assertExchange(EXCHANGE, 'topic', { durable: false });
let blocked = false;
connection.on('blocked', () => (blocked = true));
connection.on('unblocked', () => (blocked = false));

let n = 0;
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') return void res.end('ok');
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    n++;
    const answer = (status: number, body: object, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (mode === 'not-found') return answer(404, { error: 'unknown route', path: req.url });
    if (mode === 'some-400' && n % 10 === 0) return answer(400, { error: 'invalid field price' });
    if (mode === 'shed-429' && blocked) return answer(429, { error: 'broker busy' }, { 'retry-after': '1' });
    channel.publish(EXCHANGE, 'item.update', Buffer.concat(chunks), { messageId: String(req.headers['x-request-id'] ?? n) });
    answer(202, { accepted: true });
  });
});
listenUntilStopped(server, () => connection.close());
