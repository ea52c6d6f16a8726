// A target written from scratch for the integrity tests: it answers 200 to every call, but silently
// never publishes every DROP_EVERY-th one (counted in arrival order). GET /dropped lists the ids it
// swallowed, so a test can check the harness found exactly those.
// Env: PORT, AMQP_URL, VERIFY_EXCHANGE (default rushgate.items), DROP_EVERY (default 10).
import { createServer } from 'node:http';
import amqp from 'amqplib';

const port = Number(process.env.PORT);
const exchange = process.env.VERIFY_EXCHANGE || 'rushgate.items';
const dropEvery = Number(process.env.DROP_EVERY || 10);

const model = await amqp.connect(process.env.AMQP_URL as string, { noDelay: true, clientProperties: { connection_name: 'drop-every-nth' } });
const channel = await model.createConfirmChannel();
await channel.assertExchange(exchange, 'topic', { durable: true });

let calls = 0;
const dropped: string[] = [];

const server = createServer((req, res) => {
  if (req.url === '/healthz') return void res.end('ok');
  if (req.url === '/dropped') {
    res.setHeader('content-type', 'application/json');
    return void res.end(JSON.stringify(dropped));
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const id = String(req.headers['x-request-id'] ?? '');
    calls++;
    const reply = () => {
      res.setHeader('content-type', 'application/json');
      res.end('{"accepted":true}');
    };
    if (calls % dropEvery === 0) {
      dropped.push(id);
      return reply();
    }
    channel.publish(exchange, 'item.update', Buffer.concat(chunks), { messageId: id, persistent: false }, (err) => {
      if (err) {
        res.statusCode = 503;
        return void res.end('{"error":"nack"}');
      }
      reply();
    });
  });
});
server.listen(port, '127.0.0.1');

const shutdown = () => {
  server.close();
  void model.close().finally(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
