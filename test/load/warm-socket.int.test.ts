import { createServer, connect, type Server } from 'node:net';
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

  it('reports a socket that closes before it is taken, and settles', async () => {
    const socket = connect({ host: '127.0.0.1', port });
    let gone = 0;
    const warm = watchWarmSocket(socket, () => gone++);
    await warm.settled;
    socket.destroy();
    await new Promise((r) => socket.once('close', r));
    expect(gone).toBe(1);
  });

  it('reports a socket that fails before it is taken, and settles', async () => {
    const socket = connect({ host: '127.0.0.1', port });
    let gone = 0;
    const warm = watchWarmSocket(socket, () => gone++);
    socket.destroy(new Error('failed on purpose'));
    await warm.settled;
    await new Promise((r) => socket.once('close', r));
    expect(gone).toBeGreaterThanOrEqual(1);
  });
});
