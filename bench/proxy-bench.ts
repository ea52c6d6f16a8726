// Benchmark (not a test): what the chaos proxy (harness/chaos/proxy/tcp-proxy.ts) adds to a round trip
// with no toxic. A client sends a small AMQP-sized frame (default 512 B, like a persistent publish of the
// reference service) and waits for it to come back from an echo server in another process, one at a time,
// directly and through the proxy, in alternating blocks so both see the same machine load.
// Goal: the proxy adds < 1 ms to the median.
//   node --import tsx bench/proxy-bench.ts [--round-trips N] [--bytes 512] [--amqp]
// --amqp adds the same comparison over real AMQP (publish + confirm through a private broker).
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { TcpProxy } from '../harness/chaos/proxy/tcp-proxy.ts';

export interface ProxyBenchOptions {
  /** Round trips per path (direct, proxied), after a warm-up. */
  roundTrips?: number;
  bytes?: number;
  /** Round trips per block before switching paths. */
  blockSize?: number;
}

export interface PathStats {
  median: number;
  p99: number;
  mean: number;
}

export interface ProxyBenchResult {
  roundTrips: number;
  bytes: number;
  direct: PathStats;
  proxied: PathStats;
  /** proxied.median - direct.median, milliseconds. */
  addedMedianMs: number;
  addedP99Ms: number;
}

// The echo server runs in its own process, as the broker does.
const ECHO_SOURCE = `
const net = require('node:net');
const server = net.createServer({ noDelay: true }, (s) => { s.setNoDelay(true); s.on('data', (d) => s.write(d)); s.on('error', () => {}); });
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
process.on('disconnect', () => process.exit(0));
`;

async function startEcho(): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', ECHO_SOURCE], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve(Number(m)));
    child.once('exit', (code) => reject(new Error(`echo server exited with ${code}`)));
  });
  return { port, child };
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, noDelay: true });
    s.once('connect', () => resolve(s)).once('error', reject);
  });
}

/** One round trip: send the frame, resolve with the milliseconds until all of it came back. */
function roundTrip(socket: Socket, frame: Buffer): Promise<number> {
  return new Promise((resolve) => {
    let got = 0;
    const start = performance.now();
    const onData = (d: Buffer) => {
      got += d.length;
      if (got >= frame.length) {
        socket.off('data', onData);
        resolve(performance.now() - start);
      }
    };
    socket.on('data', onData);
    socket.write(frame);
  });
}

function stats(samples: number[]): PathStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { median: at(0.5), p99: at(0.99), mean: samples.reduce((a, x) => a + x, 0) / samples.length };
}

export async function runProxyBench(opts: ProxyBenchOptions = {}): Promise<ProxyBenchResult> {
  const roundTrips = opts.roundTrips ?? 5_000;
  const bytes = opts.bytes ?? 512;
  const blockSize = opts.blockSize ?? 250;
  const frame = Buffer.alloc(bytes, 0xce);
  const echo = await startEcho();
  const proxy = new TcpProxy({ host: '127.0.0.1', port: echo.port });
  const proxyPort = (await proxy.start()).port;
  const direct = await open(echo.port);
  const proxied = await open(proxyPort);
  try {
    for (let i = 0; i < 500; i++) {
      await roundTrip(direct, frame);
      await roundTrip(proxied, frame);
    }
    const samples = { direct: [] as number[], proxied: [] as number[] };
    while (samples.direct.length < roundTrips) {
      for (let i = 0; i < blockSize && samples.direct.length < roundTrips; i++) samples.direct.push(await roundTrip(direct, frame));
      for (let i = 0; i < blockSize && samples.proxied.length < roundTrips; i++) samples.proxied.push(await roundTrip(proxied, frame));
    }
    const d = stats(samples.direct);
    const p = stats(samples.proxied);
    return { roundTrips, bytes, direct: d, proxied: p, addedMedianMs: p.median - d.median, addedP99Ms: p.p99 - d.p99 };
  } finally {
    direct.destroy();
    proxied.destroy();
    await proxy.stop();
    echo.child.disconnect();
  }
}

/**
 * The same comparison with the real protocol: one persistent 512 B publish to a durable queue at a time,
 * each waiting for its broker confirm, on a connection straight to a private broker and on one through
 * the proxy. Starts (and stops) a broker: ~10 s more.
 */
export async function runAmqpProxyBench(opts: ProxyBenchOptions = {}): Promise<ProxyBenchResult> {
  const roundTrips = opts.roundTrips ?? 2_000;
  const bytes = opts.bytes ?? 512;
  const blockSize = opts.blockSize ?? 100;
  const { default: amqp } = await import('amqplib');
  const { startRabbitNode } = await import('../harness/stack/rabbitmq-node.ts');
  const { brokerAddress, withPort } = await import('../harness/stack/local.ts');
  const node = await startRabbitNode();
  const proxy = new TcpProxy(brokerAddress(node.amqpUrl));
  try {
    const proxyPort = (await proxy.start()).port;
    const channelOn = async (url: string, queue: string) => {
      const conn = await amqp.connect(url, { noDelay: true });
      const ch = await conn.createConfirmChannel();
      await ch.assertQueue(queue, { durable: true });
      await ch.purgeQueue(queue);
      const body = Buffer.alloc(bytes, 0x61);
      const publish = () =>
        new Promise<number>((resolve, reject) => {
          const start = performance.now();
          ch.publish('', queue, body, { persistent: true }, (err) => (err ? reject(err) : resolve(performance.now() - start)));
        });
      return { conn, publish };
    };
    const direct = await channelOn(node.amqpUrl, 'bench-direct');
    const proxied = await channelOn(withPort(node.amqpUrl, proxyPort), 'bench-proxied');
    for (let i = 0; i < 200; i++) {
      await direct.publish();
      await proxied.publish();
    }
    const samples = { direct: [] as number[], proxied: [] as number[] };
    while (samples.direct.length < roundTrips) {
      for (let i = 0; i < blockSize && samples.direct.length < roundTrips; i++) samples.direct.push(await direct.publish());
      for (let i = 0; i < blockSize && samples.proxied.length < roundTrips; i++) samples.proxied.push(await proxied.publish());
    }
    await direct.conn.close();
    await proxied.conn.close();
    const d = stats(samples.direct);
    const p = stats(samples.proxied);
    return { roundTrips, bytes, direct: d, proxied: p, addedMedianMs: p.median - d.median, addedP99Ms: p.p99 - d.p99 };
  } finally {
    await proxy.stop();
    await node.stop();
  }
}

export function proxyBenchLines(r: ProxyBenchResult, what = 'proxy round trips (echo server in another process, no toxic)'): string[] {
  const ms = (x: number) => `${x.toFixed(3)} ms`;
  return [
    `${what}, ${r.roundTrips} x ${r.bytes} B each path:`,
    `  direct        median ${ms(r.direct.median)}   p99 ${ms(r.direct.p99)}   mean ${ms(r.direct.mean)}`,
    `  through proxy median ${ms(r.proxied.median)}   p99 ${ms(r.proxied.p99)}   mean ${ms(r.proxied.mean)}`,
    `  added by the proxy: median ${ms(r.addedMedianMs)} (goal < 1 ms), p99 ${ms(r.addedP99Ms)}`,
  ];
}

export const AMQP_LINES_TITLE = 'AMQP publish + confirm round trips (private broker, persistent message, durable queue, no toxic)';

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { 'round-trips': { type: 'string' }, bytes: { type: 'string', default: '512' }, amqp: { type: 'boolean', default: false } },
  });
  const roundTrips = values['round-trips'] === undefined ? undefined : Number(values['round-trips']);
  const result = await runProxyBench({ roundTrips, bytes: Number(values.bytes) });
  for (const line of proxyBenchLines(result)) console.log(line);
  if (values.amqp) {
    const amqpResult = await runAmqpProxyBench({ roundTrips, bytes: Number(values.bytes) });
    for (const line of proxyBenchLines(amqpResult, AMQP_LINES_TITLE)) console.log(line);
  }
}
