// Keep-alive HTTP/1.1 connections built on autocannon's client (raw socket writes, http-parser-js, no
// per-request objects), turned from closed-loop into send-on-demand: autocannon's client sends its
// next request the moment a response lands, which would make the load wait for the server. Here
// the client never sends by itself; the driver hands a request to an idle connection at its arrival
// time, or opens one while under the in-flight limit, or learns that none is free (a drop).
import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { errorKindOf, type ErrorKind } from './error-kind.ts';

const require = createRequire(import.meta.url);

/** The parts of autocannon/lib/httpClient.js this pool relies on (pinned by package-lock). */
interface AutocannonClient extends EventEmitter {
  conn: Socket;
  destroyed: boolean;
  pipelinedRequests: { insertRequest(req: object): void };
  _connect(): void;
  _doRequest(): void;
  destroy(): void;
}
type ClientCtor = new (opts: Record<string, unknown>) => AutocannonClient;
const AutocannonHttpClient = require('autocannon/lib/httpClient.js') as ClientCtor;

export interface PoolRequest {
  seq: number;
  /** The call's name, passed back for per-call accounting. */
  call: string;
  /** performance.now() at which the schedule wanted it sent. */
  intendedMs: number;
  buffer: Buffer;
}

export interface PoolOptions {
  hostname: string;
  port: number;
  /** Most connections (= requests in flight, one per connection) at any instant. */
  limit: number;
  timeoutMs: number;
  /** Idle connections are closed after this, before a server's keep-alive timeout (Node: 5 s) races a send. */
  idleMs?: number;
  onResponse(req: PoolRequest, status: number, nowMs: number, answer?: Answer): void;
  onFailure(req: PoolRequest, kind: ErrorKind, nowMs: number): void;
}

/** What a non-2xx answer said, for classifying it and showing the first few (call-tally.ts). */
export interface Answer {
  body: string;
  retryAfter: boolean;
}

interface Conn {
  client: AutocannonClient;
  /** autocannon hands each queued request's status, body and headers to its onResponse. */
  capture: object;
  answer: Answer | undefined;
  current: PoolRequest | undefined;
  sentMs: number;
  lastUsedMs: number;
  lastErrorCode: string | undefined;
  reusable: boolean;
  dead: boolean;
}

const noop = (): void => {};
const BODY_KEPT = 1024;

export class HttpPool {
  private readonly idle: Conn[] = [];
  private readonly busy = new Set<Conn>();
  private open = 0;
  private readonly sweeper: NodeJS.Timeout;
  private readonly idleMs: number;
  /** Connections opened over the pool's life. */
  opened = 0;

  constructor(private readonly opts: PoolOptions) {
    this.idleMs = opts.idleMs ?? 4000;
    this.sweeper = setInterval(() => this.sweep(performance.now()), Math.min(100, Math.max(10, opts.timeoutMs / 10)));
  }

  get inFlight(): number {
    return this.busy.size;
  }

  get connections(): number {
    return this.open;
  }

  /** Whether send() would find a connection: an idle one, or room under the limit to open one. */
  canSend(): boolean {
    this.dropUnusableIdle();
    return this.idle.length > 0 || this.open < this.opts.limit;
  }

  /** Sends now on a free connection; false when the in-flight limit leaves none (the caller drops it). */
  send(req: PoolRequest, nowMs: number): boolean {
    this.dropUnusableIdle();
    let conn = this.idle.pop();
    if (!conn) {
      if (this.open >= this.opts.limit) return false;
      conn = this.connect();
    }
    conn.current = req;
    conn.sentMs = nowMs;
    this.busy.add(conn);
    conn.client.pipelinedRequests.insertRequest(conn.capture);
    conn.client.conn.write(req.buffer);
    return true;
  }

  /** Destroys every connection; requests still in flight are not reported. */
  close(): void {
    clearInterval(this.sweeper);
    for (const conn of [...this.busy, ...this.idle]) this.kill(conn);
    this.busy.clear();
    this.idle.length = 0;
  }

  private dropUnusableIdle(): void {
    let top = this.idle.at(-1);
    while (top && (top.dead || !top.reusable)) {
      this.idle.pop();
      top = this.idle.at(-1);
    }
  }

  private connect(): Conn {
    const client = new AutocannonHttpClient({
      hostname: this.opts.hostname,
      port: this.opts.port,
      protocol: 'http:',
      pipelining: 1,
      // autocannon's own timer is not cleared by a response, so it would fire on idle connections;
      // it is parked far away and the sweep below times requests out instead.
      timeout: 1_000_000,
      // Runs inside the constructor before it connects: stop the client sending on its own.
      setupClient: (c: AutocannonClient) => {
        c._doRequest = noop;
      },
    });
    // A broken connection is not re-dialled behind the driver's back; the pool opens a new one on demand.
    client._connect = noop;
    const conn: Conn = { client, capture: {}, answer: undefined, current: undefined, sentMs: 0, lastUsedMs: 0, lastErrorCode: undefined, reusable: true, dead: false };
    client.on('headers', (info: { shouldKeepAlive?: boolean }) => {
      if (info.shouldKeepAlive === false) conn.reusable = false;
    });
    conn.capture = {
      onResponse: (status: number, body: string, _ctx: unknown, headers: Record<string, unknown>) => {
        conn.answer = status >= 200 && status < 300 ? undefined : { body: String(body).slice(0, BODY_KEPT), retryAfter: Object.keys(headers).some((k) => k.toLowerCase() === 'retry-after') };
      },
    };
    client.on('response', (status: number) => this.onResponse(conn, status));
    client.on('connError', (err: NodeJS.ErrnoException) => {
      conn.lastErrorCode = err.code ?? 'unknown';
    });
    client.conn.on('close', () => this.onClose(conn));
    this.open++;
    this.opened++;
    return conn;
  }

  private onResponse(conn: Conn, status: number): void {
    const req = conn.current;
    if (!req || conn.dead) return;
    const now = performance.now();
    conn.current = undefined;
    conn.lastUsedMs = now;
    this.busy.delete(conn);
    if (conn.reusable) this.idle.push(conn);
    else this.kill(conn);
    this.opts.onResponse(req, status, now, conn.answer);
  }

  private onClose(conn: Conn): void {
    if (conn.dead) return;
    const req = conn.current;
    this.kill(conn);
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
    if (req) this.opts.onFailure(req, errorKindOf(conn.lastErrorCode), performance.now());
  }

  private sweep(now: number): void {
    for (const conn of this.busy) {
      if (conn.current && now - conn.sentMs >= this.opts.timeoutMs) {
        const req = conn.current;
        this.kill(conn);
        this.opts.onFailure(req, 'timeout', now);
      }
    }
    // The idle stack is LIFO, so the longest-idle connections sit at the bottom.
    let stale = 0;
    while (stale < this.idle.length && now - (this.idle[stale] as Conn).lastUsedMs >= this.idleMs) stale++;
    if (stale > 0) for (const conn of this.idle.splice(0, stale)) this.kill(conn);
  }

  private kill(conn: Conn): void {
    if (conn.dead) return;
    conn.dead = true;
    conn.current = undefined;
    this.busy.delete(conn);
    this.open--;
    conn.client.destroy();
  }
}
