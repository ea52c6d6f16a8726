import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TcpProxy } from '../../harness/chaos/proxy/tcp-proxy.ts';
import { bandwidth, latency, resetPeer, slowClose, timeout } from '../../harness/chaos/proxy/toxics.ts';

// Real TCP through the proxy to an echo server, timing checked with a tolerance.
let echo: Server;
let echoPort = 0;
let proxy: TcpProxy;
let proxyPort = 0;
const clients: Socket[] = [];

beforeAll(async () => {
  echo = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
  echoPort = (echo.address() as { port: number }).port;
  proxy = new TcpProxy({ host: '127.0.0.1', port: echoPort });
  proxyPort = (await proxy.start()).port;
});
afterAll(async () => {
  await proxy.stop();
  await new Promise<void>((r) => echo.close(() => r()));
});
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

async function open(): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port: proxyPort, noDelay: true });
  clients.push(socket);
  await new Promise<void>((r, j) => socket.once('connect', () => r()).once('error', j));
  return socket;
}

/** Sends `payload` and resolves with the round-trip time once it all came back, or 'timeout'. */
function roundTrip(socket: Socket, payload: Buffer, limitMs = 2_000): Promise<number | 'timeout'> {
  return new Promise((resolve) => {
    let got = 0;
    const start = performance.now();
    const timer = setTimeout(() => resolve('timeout'), limitMs);
    const onData = (d: Buffer) => {
      got += d.length;
      if (got >= payload.length) {
        clearTimeout(timer);
        socket.off('data', onData);
        resolve(performance.now() - start);
      }
    };
    socket.on('data', onData);
    socket.write(payload);
  });
}

describe('TcpProxy', () => {
  it('passes bytes through unchanged and in order with no toxic', async () => {
    const socket = await open();
    const payload = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251));
    const received: Buffer[] = [];
    socket.on('data', (d: Buffer) => received.push(d));
    expect(await roundTrip(socket, payload)).not.toBe('timeout');
    expect(Buffer.concat(received).equals(payload)).toBe(true);
  });

  it('latency adds its delay in each direction, and removing it restores speed', async () => {
    const socket = await open();
    const remove = proxy.addToxic(latency({ latencyMs: 100, jitterMs: 0 }));
    const slow = await roundTrip(socket, Buffer.from('ping'));
    remove();
    remove();
    const fast = await roundTrip(socket, Buffer.from('ping'));
    expect(slow).toBeGreaterThanOrEqual(190);
    expect(slow).toBeLessThan(400);
    expect(fast).toBeLessThan(50);
  });

  it('latency with jitter never reorders the stream (many small chunks, each with its own delay)', async () => {
    const socket = await open();
    const received: Buffer[] = [];
    socket.on('data', (d: Buffer) => received.push(d));
    const remove = proxy.addToxic(latency({ latencyMs: 20, jitterMs: 19 }));
    const sent: Buffer[] = [];
    for (let i = 0; i < 300; i++) {
      const chunk = Buffer.alloc(4);
      chunk.writeUInt32BE(i);
      sent.push(chunk);
      socket.write(chunk);
      // A fresh event-loop turn per write, so the proxy sees separate chunks with separate delays.
      await new Promise((r) => setImmediate(r));
    }
    const total = 300 * 4;
    const end = Date.now() + 3_000;
    while (Buffer.concat(received).length < total && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    remove();
    expect(Buffer.concat(received).equals(Buffer.concat(sent))).toBe(true);
  });

  it('bandwidth limits throughput', async () => {
    const socket = await open();
    const remove = proxy.addToxic(bandwidth({ kbPerSec: 100, stream: 'upstream' }));
    const rtt = await roundTrip(socket, Buffer.alloc(20 * 1024), 3_000);
    remove();
    // 20 KB at 100 KB/s is 200 ms.
    expect(rtt).toBeGreaterThanOrEqual(180);
    expect(rtt).toBeLessThan(600);
  });

  it('a blackhole holds data until removed, then lets it through in order (TCP never loses bytes)', async () => {
    const socket = await open();
    const received: Buffer[] = [];
    socket.on('data', (d: Buffer) => received.push(d));
    const remove = proxy.addToxic(timeout());
    expect(await roundTrip(socket, Buffer.from('held-'), 300)).toBe('timeout');
    expect(received).toEqual([]);
    remove();
    expect(await roundTrip(socket, Buffer.from('after'), 1_000)).not.toBe('timeout');
    await new Promise((r) => setTimeout(r, 50));
    expect(Buffer.concat(received).toString()).toBe('held-after');
  });

  it('a blackhole with closeAfterMs closes the connection', async () => {
    const socket = await open();
    const closed = new Promise<number>((r) => {
      const start = performance.now();
      socket.once('close', () => r(performance.now() - start));
    });
    const remove = proxy.addToxic(timeout({ closeAfterMs: 200 }));
    const after = await closed;
    remove();
    expect(after).toBeGreaterThanOrEqual(180);
    expect(after).toBeLessThan(1_000);
  });

  it('a large transfer held mid-stream arrives whole and in order after the blackhole', async () => {
    const socket = await open();
    const payload = Buffer.from(Array.from({ length: 2_000_000 }, (_, i) => i % 253));
    const received: Buffer[] = [];
    socket.on('data', (d: Buffer) => received.push(d));
    socket.write(payload);
    const remove = proxy.addToxic(timeout());
    await new Promise((r) => setTimeout(r, 200));
    const during = Buffer.concat(received).length;
    remove();
    const end = Date.now() + 3_000;
    while (Buffer.concat(received).length < payload.length && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(during).toBeLessThan(payload.length);
    expect(Buffer.concat(received).equals(payload)).toBe(true);
  });

  it('reset_peer resets open connections', async () => {
    const socket = await open();
    const error = new Promise<string>((r) => socket.once('error', (e: NodeJS.ErrnoException) => r(e.code ?? 'error')));
    const remove = proxy.addToxic(resetPeer());
    expect(await error).toBe('ECONNRESET');
    remove();
  });

  it('slow_close holds the close back', async () => {
    const socket = await open();
    const remove = proxy.addToxic(slowClose({ delayMs: 300, stream: 'downstream' }));
    const start = performance.now();
    const ended = new Promise<number>((r) => socket.once('end', () => r(performance.now() - start)));
    socket.end();
    const after = await ended;
    remove();
    expect(after).toBeGreaterThanOrEqual(280);
  });
});
