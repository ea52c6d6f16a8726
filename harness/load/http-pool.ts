// Keep-alive HTTP/1.1 connections to the target, one undici Client (public API) per connection, one
// request per connection at a time (no pipelining). The pool never decides the pace: the driver hands
// it a request at its arrival time or drops the arrival when the in-flight limit is reached, so nothing
// ever waits in undici's queue behind a slow server. Free connections sit on a stack, so finding one is
// O(1) (undici's Pool scans its clients for a free one on every dispatch) and the most recently used,
// warm one goes first. Each connection keeps one reusable handler: no allocation of ours per request.
// Connections can be opened ahead of the load (warm()), so the first second is not spent in handshakes.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect as netConnect, type Socket } from 'node:net';
import { Client, buildConnector, type Dispatcher } from 'undici';
import { errorKindOf, type ErrorKind } from './error-kind.ts';

/** What the pool sends; the driver builds it from a Call. */
export interface PoolRequest {
  seq: number;
  /** Call name, handed back with the outcome so per-call results can be kept. */
  name: string;
  /** performance.now() at which the schedule wanted it sent. */
  intendedMs: number;
  method: string;
  /** Path with query, base path included. */
  path: string;
  headers: Record<string, string>;
  body: string | Buffer;
}

export interface PoolOptions {
  /** http://host:port of the target. */
  origin: string;
  hostname: string;
  port: number;
  /** Most requests in flight at any instant (= most connections). */
  limit: number;
  /** A request unanswered after this long (connect, headers or body) fails as a timeout. */
  timeoutMs: number;
  onResponse(req: PoolRequest, status: number, nowMs: number, answer?: Answer): void;
  onFailure(req: PoolRequest, kind: ErrorKind, nowMs: number): void;
}

/** What a non-2xx answer said, for classifying it and showing the first few (call-tally.ts). */
export interface Answer {
  body: string;
  retryAfter: boolean;
}

const BODY_KEPT = 1024;

export class HttpPool {
  private readonly connections: Connection[] = [];
  /** Connections with no request on them, most recently freed last. */
  private readonly free: Connection[] = [];
  /** Connected (or connecting) sockets not yet handed to a client, and how to take our listeners off them. */
  private readonly warmSockets: WarmSocket[] = [];
  private readonly fallbackConnect: ReturnType<typeof buildConnector>;
  private readonly connectFn: (options: ConnectOptions, callback: ConnectCallback) => void;
  private closed = false;
  /** Requests sent and not yet reported. */
  inFlight = 0;
  /** TCP connections opened over the pool's life (warm ones included). */
  opened = 0;

  constructor(readonly opts: PoolOptions) {
    this.fallbackConnect = buildConnector({ timeout: opts.timeoutMs });
    this.connectFn = (options, callback) => this.connect(options, callback);
  }

  /** Whether send() would go out now rather than be dropped. */
  canSend(): boolean {
    return !this.closed && this.inFlight < this.opts.limit && (this.free.length > 0 || this.connections.length < this.opts.limit);
  }

  /**
   * Opens `count` connections now, handed to the clients as they connect. Resolves when they are
   * connected (or failed: a target that refuses shows up as request errors, not here), at most after timeoutMs.
   */
  async warm(count: number): Promise<void> {
    await warmUpClientCode();
    const n = Math.min(count, this.opts.limit) - this.warmSockets.length;
    const pending: Array<Promise<void>> = [];
    for (let i = 0; i < n; i++) {
      const socket = netConnect({ host: this.opts.hostname, port: this.opts.port, noDelay: true, keepAlive: true });
      this.opened++;
      const warm = watchWarmSocket(socket, () => {
        const at = this.warmSockets.indexOf(warm);
        if (at >= 0) this.warmSockets.splice(at, 1);
      });
      this.warmSockets.push(warm);
      pending.push(warm.settled);
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(pending), new Promise((r) => (timer = setTimeout(r, this.opts.timeoutMs)))]);
    clearTimeout(timer);
  }

  /** Sends now; false when the in-flight limit leaves no room (the caller drops it). */
  send(req: PoolRequest): boolean {
    if (!this.canSend()) return false;
    let conn = this.free.pop();
    if (!conn) {
      conn = new Connection(this, this.newClient());
      this.connections.push(conn);
    }
    this.inFlight++;
    conn.send(req);
    return true;
  }

  /** Gives up on every request still in flight: each is reported as failed with `kind`, now. */
  abandon(kind: ErrorKind): void {
    for (const conn of this.connections) conn.report(0, kind);
  }

  /** Destroys every connection; requests still in flight are not reported. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const { socket } of this.warmSockets.splice(0)) socket.destroy();
    for (const conn of this.connections) void conn.client.destroy().catch(() => {});
  }

  /** @internal A connection's request was answered or failed (reported once per request); `freed` is free again. */
  reported(req: PoolRequest, status: number, kind: ErrorKind | undefined, answer?: Answer, freed?: Connection): void {
    this.inFlight--;
    if (this.closed) return;
    if (freed) this.free.push(freed);
    const now = performance.now();
    if (kind === undefined) this.opts.onResponse(req, status, now, answer);
    else this.opts.onFailure(req, kind, now);
  }

  /** @internal undici is done with the connection's request: it can take the next. */
  released(conn: Connection): void {
    if (!this.closed) this.free.push(conn);
  }

  private newClient(): Client {
    return new Client(this.opts.origin, {
      pipelining: 1,
      headersTimeout: this.opts.timeoutMs,
      bodyTimeout: this.opts.timeoutMs,
      // Idle connections close 1 s before the server's advertised Keep-Alive timeout (Node's 5 s: after
      // 4 s idle), so a send never races the server's close.
      keepAliveTimeoutThreshold: 1000,
      connect: this.connectFn,
    });
  }

  private connect(options: ConnectOptions, callback: ConnectCallback): void {
    let next = this.warmSockets.pop();
    while (next?.socket.destroyed) next = this.warmSockets.pop();
    if (!next) {
      this.opened++;
      this.fallbackConnect(options, callback);
      return;
    }
    next.detach();
    const warm = next.socket;
    // undici expects the callback after connect() returns (a synchronous one stalls the client).
    if (!warm.connecting) return queueMicrotask(() => callback(null, warm));
    const onError = (err: Error) => callback(err, null);
    warm.once('error', onError);
    warm.once('connect', () => {
      warm.off('error', onError);
      callback(null, warm);
    });
  }
}

/** A socket opened ahead of the load, until a client takes it. */
export interface WarmSocket {
  socket: Socket;
  /** Resolves once it connected, failed or closed, or was detached. */
  settled: Promise<void>;
  /** Takes off the listeners watchWarmSocket added, and only those. */
  detach(): void;
}

/**
 * Watches a warm socket until a client takes it: `gone` when it fails or closes first. The client gets
 * the socket with its own listeners only, each of ours taken off by reference. removeAllListeners(type)
 * would also take off anyone else's, and it deletes the event from the socket's listener table, which
 * turns off net.Socket's fixed-shape mode: every event the socket emits afterwards (each response's
 * 'readable') then looks its listeners up in a dictionary.
 */
export function watchWarmSocket(socket: Socket, gone: () => void): WarmSocket {
  let settle!: () => void;
  const settled = new Promise<void>((resolve) => (settle = resolve));
  const drop = () => {
    gone();
    settle();
  };
  socket.once('connect', settle);
  socket.on('error', drop);
  socket.on('close', drop);
  return {
    socket,
    settled,
    detach() {
      socket.off('connect', settle);
      socket.off('error', drop);
      socket.off('close', drop);
      settle();
    },
  };
}

type Connector = ReturnType<typeof buildConnector>;
type ConnectOptions = Parameters<Connector>[0];
type ConnectCallback = Parameters<Connector>[1];

/**
 * One connection (an undici Client) and the handler of its one request at a time, reused for every
 * request it carries. Reports each request exactly once: a status or the kind of failure.
 *
 * It implements undici's raw-header handler methods (onConnect, onHeaders, onData, onComplete, onError;
 * public and documented, marked deprecated in undici 7 in favour of onRequestStart/onResponseStart):
 * for the newer methods undici wraps each request's handler and parses every response's headers into
 * an object, ~5% of the driver's CPU at 10,000/s, when all it needs is whether a non-2xx answer
 * carried Retry-After.
 */
class Connection implements Dispatcher.DispatchHandler {
  private req: PoolRequest | undefined;
  private status = 0;
  /** Kept only for non-2xx answers: the first bytes of the body and whether it asked to retry later. */
  private chunks: Buffer[] | undefined;
  private size = 0;
  private retryAfter = false;
  private readonly dispatchOpts: Dispatcher.DispatchOptions;

  constructor(
    private readonly pool: HttpPool,
    readonly client: Client,
  ) {
    this.dispatchOpts = { origin: pool.opts.origin, method: 'GET', path: '/', headers: undefined, body: undefined };
  }

  send(req: PoolRequest): void {
    this.req = req;
    this.status = 0;
    this.chunks = undefined;
    const o = this.dispatchOpts;
    o.method = req.method;
    o.path = req.path;
    o.headers = req.headers;
    o.body = req.body;
    this.client.dispatch(o, this);
  }

  onConnect(): void {}

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    this.status = statusCode;
    // Called again after a 1xx: only the final answer's body is kept.
    this.chunks = undefined;
    if (statusCode < 200 || statusCode >= 300) {
      this.chunks = [];
      this.size = 0;
      this.retryAfter = hasHeader(rawHeaders, 'retry-after');
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    const chunks = this.chunks;
    if (!chunks || this.size >= BODY_KEPT) return true;
    chunks.push(chunk.subarray(0, BODY_KEPT - this.size));
    this.size += Math.min(chunk.length, BODY_KEPT - this.size);
    return true;
  }

  onComplete(): void {
    // Free before it is reported: the driver may send its next due arrival on it from the report.
    if (!this.report(this.status, undefined, true)) this.pool.released(this);
  }

  onError(error: Error): void {
    this.report(0, failureKind(error));
    this.pool.released(this);
  }

  /**
   * Reports the request on this connection, if there is one not yet reported (false when there was
   * none). With `free`, the connection is back on the free stack before the report goes out.
   */
  report(status: number, kind: ErrorKind | undefined, free = false): boolean {
    const req = this.req;
    if (!req) return false;
    this.req = undefined;
    const chunks = this.chunks;
    this.chunks = undefined;
    this.pool.reported(req, status, kind, chunks && { body: Buffer.concat(chunks).toString('utf8'), retryAfter: this.retryAfter }, free ? this : undefined);
    return true;
  }
}

/** Whether raw header pairs [name, value, ...] name `lowerName` (any case). */
export function hasHeader(rawHeaders: ReadonlyArray<Buffer | string>, lowerName: string): boolean {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as Buffer | string;
    if (name.length === lowerName.length && name.toString('latin1').toLowerCase() === lowerName) return true;
  }
  return false;
}

/** undici's error codes, and the socket's own when undici passes them through, in the report's kinds. */
export function failureKind(error: Error): ErrorKind {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'timeout';
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return 'reset';
    default: {
      const cause = (error as { cause?: NodeJS.ErrnoException }).cause;
      return errorKindOf(code ?? cause?.code);
    }
  }
}

let clientCodeWarm: Promise<void> | undefined;
const WARM_UP_REQUESTS = 400;

/**
 * Once per process: a few requests through undici to a throwaway server of our own on loopback, so
 * undici's HTTP parser (WebAssembly, compiled on first use) and its request path are compiled before
 * the load starts instead of stalling its first second. The target sees none of it.
 */
export function warmUpClientCode(): Promise<void> {
  clientCodeWarm ??= (async () => {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('{}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = new Client(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { pipelining: 8 });
    try {
      const one = (i: number) =>
        new Promise<void>((resolve) => {
          const done = () => resolve();
          client.dispatch(
            { method: 'PUT', path: '/warm', headers: { 'content-type': 'application/json', 'x-request-id': `warm-${i}` }, body: '{"warm":true}' },
            { onConnect() {}, onHeaders: () => true, onData: () => true, onComplete: done, onError: done },
          );
        });
      for (let i = 0; i < WARM_UP_REQUESTS; i += 8) await Promise.all(Array.from({ length: 8 }, (_, k) => one(i + k)));
    } finally {
      await client.destroy().catch(() => {});
      server.closeAllConnections();
      server.close();
    }
  })().catch(() => {});
  return clientCodeWarm;
}
