// Keep-alive HTTP/1.1 connections to the target through undici's public Pool (one request per
// connection at a time, no pipelining). The pool never decides the pace: the driver hands it a request
// at its arrival time or drops the arrival when the in-flight limit is reached, so nothing ever waits
// in undici's queue behind a slow server. Connections can be opened ahead of the load (warm()), so the
// first second is not spent in TCP handshakes.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect as netConnect, type Socket } from 'node:net';
import { Client, Pool, buildConnector, type Dispatcher } from 'undici';
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
  private readonly pool: Pool;
  private readonly warmSockets: Socket[] = [];
  private readonly fallbackConnect: ReturnType<typeof buildConnector>;
  private readonly outstanding = new Set<Outcome>();
  private closed = false;
  /** TCP connections opened over the pool's life (warm ones included). */
  opened = 0;

  constructor(private readonly opts: PoolOptions) {
    this.fallbackConnect = buildConnector({ timeout: opts.timeoutMs });
    this.pool = new Pool(opts.origin, {
      connections: opts.limit,
      pipelining: 1,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      // Idle connections close 1 s before the server's advertised Keep-Alive timeout (Node's 5 s: after
      // 4 s idle), so a send never races the server's close.
      keepAliveTimeoutThreshold: 1000,
      connect: (options, callback) => this.connect(options, callback),
    });
  }

  get inFlight(): number {
    return this.outstanding.size;
  }

  /** Whether send() would go out now rather than be dropped. */
  canSend(): boolean {
    return !this.closed && this.outstanding.size < this.opts.limit;
  }

  /**
   * Opens `count` connections now, handed to the pool as it grows. Resolves when they are connected
   * (or failed: a target that refuses shows up as request errors, not here), at most after timeoutMs.
   */
  async warm(count: number): Promise<void> {
    await warmUpClientCode();
    const n = Math.min(count, this.opts.limit) - this.warmSockets.length;
    const pending: Array<Promise<void>> = [];
    for (let i = 0; i < n; i++) {
      const socket = netConnect({ host: this.opts.hostname, port: this.opts.port, noDelay: true, keepAlive: true });
      this.opened++;
      this.warmSockets.push(socket);
      const drop = () => {
        const at = this.warmSockets.indexOf(socket);
        if (at >= 0) this.warmSockets.splice(at, 1);
      };
      socket.on('error', drop);
      socket.on('close', drop);
      pending.push(new Promise((resolve) => {
        socket.once('connect', () => resolve());
        socket.once('close', () => resolve());
      }));
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(pending), new Promise((r) => (timer = setTimeout(r, this.opts.timeoutMs)))]);
    clearTimeout(timer);
  }

  /** Sends now; false when the in-flight limit leaves no room (the caller drops it). */
  send(req: PoolRequest): boolean {
    if (!this.canSend()) return false;
    const outcome = new Outcome(this, req);
    this.outstanding.add(outcome);
    this.pool.dispatch({ origin: this.opts.origin, method: req.method, path: req.path, headers: req.headers, body: req.body }, outcome);
    return true;
  }

  /** Gives up on every request still in flight: each is reported as failed with `kind`, now. */
  abandon(kind: ErrorKind): void {
    for (const outcome of [...this.outstanding]) outcome.settle(0, kind);
  }

  /** Destroys every connection; requests still in flight are not reported. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const socket of this.warmSockets.splice(0)) socket.destroy();
    void this.pool.destroy().catch(() => {});
  }

  /** @internal Called once per request by its Outcome. */
  settled(outcome: Outcome, req: PoolRequest, status: number, kind: ErrorKind | undefined, answer?: Answer): void {
    if (!this.outstanding.delete(outcome) || this.closed) return;
    const now = performance.now();
    if (kind === undefined) this.opts.onResponse(req, status, now, answer);
    else this.opts.onFailure(req, kind, now);
  }

  private connect(options: ConnectOptions, callback: ConnectCallback): void {
    let socket = this.warmSockets.pop();
    while (socket?.destroyed) socket = this.warmSockets.pop();
    if (!socket) {
      this.opened++;
      this.fallbackConnect(options, callback);
      return;
    }
    const warm = socket;
    warm.removeAllListeners('error');
    warm.removeAllListeners('close');
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

type Connector = ReturnType<typeof buildConnector>;
type ConnectOptions = Parameters<Connector>[0];
type ConnectCallback = Parameters<Connector>[1];

/** One request's handler: reports exactly once, a status or the kind of failure. */
class Outcome implements Dispatcher.DispatchHandler {
  private status = 0;
  private done = false;
  /** Kept only for non-2xx answers: the first bytes of the body and whether it asked to retry later. */
  private answer: { chunks: Buffer[]; size: number; retryAfter: boolean } | undefined;

  constructor(
    private readonly pool: HttpPool,
    private readonly req: PoolRequest,
  ) {}

  onRequestStart(): void {}

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    this.status = statusCode;
    if (statusCode < 200 || statusCode >= 300) this.answer = { chunks: [], size: 0, retryAfter: headers['retry-after'] !== undefined };
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const a = this.answer;
    if (!a || a.size >= BODY_KEPT) return;
    a.chunks.push(chunk.subarray(0, BODY_KEPT - a.size));
    a.size += Math.min(chunk.length, BODY_KEPT - a.size);
  }

  onResponseEnd(): void {
    this.settle(this.status, undefined);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.settle(0, failureKind(error));
  }

  settle(status: number, kind: ErrorKind | undefined): void {
    if (this.done) return;
    this.done = true;
    const a = this.answer;
    this.pool.settled(this, this.req, status, kind, a && { body: Buffer.concat(a.chunks).toString('utf8'), retryAfter: a.retryAfter });
  }
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
            { onRequestStart() {}, onResponseStart() {}, onResponseData() {}, onResponseEnd: done, onResponseError: done },
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
