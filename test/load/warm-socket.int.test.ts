import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchWarmSocket } from '../../harness/load/http-pool.ts';

describe('watchWarmSocket (connections opened ahead of the load)', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer((s) => s.on('error', () => {}));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('hands the socket over with only its taker\'s listeners: ours are gone, anyone else\'s stay', async () => {
    const socket = connect({ host: '127.0.0.1', port });
    const theirs = () => {};
    socket.on('close', theirs);
    let gone = 0;
    const warm = watchWarmSocket(socket, () => gone++);
    await warm.settled;
    expect(socket.connecting).toBe(false);
    warm.detach();
    expect(socket.listenerCount('error')).toBe(0);
    expect(socket.listeners('close')).toEqual([theirs]);
    expect(socket.listenerCount('connect')).toBe(0);
    socket.destroy();
    await new Promise((r) => socket.once('close', r));
    expect(gone).toBe(0);
  });

  // Closed once connected, or failed while connecting: either way it is reported gone (a failure may be
  // reported twice, by 'error' and 'close'; the pool's removal is idempotent) and the warm-up settles.
  it.each([
    ['closes once connected', async (socket: Socket, settled: Promise<void>) => {
      await settled;
      socket.destroy();
    }],
    ['fails while connecting', async (socket: Socket) => {
      socket.destroy(new Error('failed on purpose'));
    }],
  ])('reports a socket that %s before it is taken, and settles', async (_what, end) => {
    const socket = connect({ host: '127.0.0.1', port });
    let gone = 0;
    const warm = watchWarmSocket(socket, () => gone++);
    const closed = new Promise((r) => socket.once('close', r));
    await end(socket, warm.settled);
    await warm.settled;
    await closed;
    expect(gone).toBeGreaterThanOrEqual(1);
  });
});
