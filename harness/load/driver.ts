// The open-model load driver. Arrivals come from the schedule, spread evenly inside each wall second,
// and each is sent at its time whether or not earlier requests have been answered, on a pool of
// autocannon connections capped at the in-flight limit. An arrival that finds the pool full is
// dropped and counted, never queued: queuing would let a struggling service set the pace, which is
// exactly the overload a burst test must expose.
import { EventEmitter } from 'node:events';
import type { CallSummary, FirstError, LatencySummary, LoadSecond, StatusClasses } from '../run-record.ts';
import type { Call } from '../../scenarios/payloads.ts';
import { callInfos, createCallSource, type CallSource } from '../../scenarios/calls/call-source.ts';
import { CallTally } from './call-tally.ts';
import type { Schedule } from '../../scenarios/schedule.ts';
import { DRAIN_PHASE } from '../../scenarios/scenario-rules.ts';
import type { ErrorKind } from './error-kind.ts';
import { HttpPool, type PoolRequest } from './http-pool.ts';
import { createLatencyHistogram, recordLatencyMs, summarizeLatencyWithMean, type LatencyHistogram } from './latency.ts';
import { SecondTally } from './second-tally.ts';

export interface LoadOptions {
  /** http://host:port[/base-path] of the target; calls' paths are appended to it. */
  targetUrl: string;
  schedule: Schedule;
  /** Requests allowed in flight at once (one per connection); arrivals beyond it are dropped. */
  inFlightLimit?: number;
  /** A request unanswered after this long is failed as a timeout and its connection closed. */
  timeoutMs?: number;
  /** Prefix of every X-Request-Id: `${runId}-${seq}`. */
  runId: string;
  /** Called once per sent request: the HTTP status, or 0 with the error kind. */
  onOutcome?: (seq: number, status: number, errorKind?: ErrorKind) => void;
  /** Builds the request for each arrival; the schedule's calls (no env, no setup) when not given. */
  calls?: CallSource;
  /** Per-call accounting (call-tally.ts); one for the schedule's calls is made when not given. */
  tally?: CallTally;
}

export interface LoadResult {
  seconds: LoadSecond[];
  /** Whole-run latency (coordinated-omission corrected), milliseconds. */
  latency: LatencySummary & { mean: number };
  scheduled: number;
  /** Requests sent. */
  requests: number;
  completed: number;
  dropped: number;
  status: Record<string, number>;
  errors: Record<string, number>;
  /** How late sends left against their intended time; large values mean the driver itself fell behind. */
  sendLagMs: { p99: number; max: number };
  /** HTTP connections the driver opened to the target. */
  connectionsOpened: number;
  /** Wall seconds from start until the last request finished. */
  durationSec: number;
  /** Set when stop() ended the load early: the second in which sending stopped. */
  stoppedAtSec?: number;
  /** Per-call results, outcomes by class, and the first non-2xx answers (call-tally.ts). */
  calls: Record<string, CallSummary>;
  classes: StatusClasses;
  firstErrors: FirstError[];
}

export interface LoadRun extends EventEmitter, PromiseLike<LoadResult> {
  on(event: 'second', listener: (second: LoadSecond) => void): this;
  on(event: 'phase', listener: (phase: { name: string; t: number }) => void): this;
  on(event: 'done', listener: (result: LoadResult) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
  /** Stop sending; requests in flight finish (or time out). Resolves when the run is done. */
  stop(): Promise<void>;
  catch<T = never>(onRejected: (reason: unknown) => T | PromiseLike<T>): Promise<LoadResult | T>;
}

/** The load options make no sense; the message says which and what to pass instead. */
export class LoadConfigError extends Error {
  override readonly name = 'LoadConfigError';
}

export const DEFAULT_IN_FLIGHT_LIMIT = 1000;
export const DEFAULT_TIMEOUT_MS = 10_000;

export function runLoad(opts: LoadOptions): LoadRun {
  return new OpenModelRun(opts) as unknown as LoadRun;
}

interface Target {
  hostname: string;
  port: number;
  host: string;
  basePath: string;
}

export function parseTarget(targetUrl: string): Target {
  let url: URL;
  try {
    url = new URL(targetUrl);
  } catch {
    throw new LoadConfigError(`targetUrl "${targetUrl}" is not a URL; expected http://host:port`);
  }
  if (url.protocol !== 'http:') {
    throw new LoadConfigError(`targetUrl "${targetUrl}" uses ${url.protocol}; the load driver speaks plain http:// only`);
  }
  return {
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : 80,
    host: url.host,
    basePath: url.pathname.replace(/\/+$/, ''),
  };
}

export function requestBuffer(target: Target, call: Call): Buffer {
  let head = `${call.method} ${target.basePath}${call.path} HTTP/1.1\r\nHost: ${target.host}\r\nConnection: keep-alive\r\nUser-Agent: rushgate\r\n`;
  for (const name in call.headers) head += `${name}: ${call.headers[name]}\r\n`;
  head += `Content-Length: ${Buffer.byteLength(call.body)}\r\n\r\n`;
  return typeof call.body === 'string' ? Buffer.from(head + call.body) : Buffer.concat([Buffer.from(head), call.body]);
}

class OpenModelRun extends EventEmitter {
  private readonly schedule: Schedule;
  private readonly target: Target;
  private readonly pool: HttpPool;
  private readonly startMs = performance.now();
  private readonly tallies: SecondTally[] = [];
  private readonly seconds: LoadSecond[] = [];
  private readonly latency: LatencyHistogram = createLatencyHistogram();
  private readonly lag: LatencyHistogram = createLatencyHistogram();
  private readonly status: Record<string, number> = {};
  private readonly errors: Record<string, number> = {};
  private readonly calls: CallTally;
  private readonly source: CallSource;
  private readonly promise: Promise<LoadResult>;
  private resolve!: (r: LoadResult) => void;
  private reject!: (e: unknown) => void;

  // Dispatch cursor: second `sec`, arrival `idx` within it, `seqBase` arrivals before that second.
  private sec = 0;
  private idx = 0;
  private seqBase = 0;
  private nextPhase = 0;
  private emitted = 0;
  private sent = 0;
  private dropped = 0;
  private completed = 0;
  private lastActivitySec = 0;
  private stoppedAtSec: number | undefined;
  private drainAnnounced = false;
  private finished = false;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private wakeAt = Number.POSITIVE_INFINITY;

  constructor(private readonly opts: LoadOptions) {
    super();
    const limit = opts.inFlightLimit ?? DEFAULT_IN_FLIGHT_LIMIT;
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isInteger(limit) || limit < 1) throw new LoadConfigError(`inFlightLimit ${limit}: expected a whole number >= 1`);
    if (!(timeoutMs > 0)) throw new LoadConfigError(`timeoutMs ${timeoutMs}: expected a positive number of milliseconds`);
    if (!/^[A-Za-z0-9._-]{1,48}$/.test(opts.runId)) {
      throw new LoadConfigError(`runId "${opts.runId}": expected 1-48 letters, digits, ".", "_" or "-" (it prefixes every X-Request-Id)`);
    }
    this.schedule = opts.schedule;
    this.target = parseTarget(opts.targetUrl);
    this.source = opts.calls ?? createCallSource(opts.schedule, { runId: opts.runId });
    this.calls = opts.tally ?? new CallTally({ calls: callInfos(this.source.calls) });
    this.promise = new Promise((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
    this.pool = new HttpPool({
      hostname: this.target.hostname,
      port: this.target.port,
      limit,
      timeoutMs,
      onResponse: (req, status, now, answer) => {
        this.calls.response(req.call, status, now - req.intendedMs, Math.floor(this.nowSec(now)), answer);
        this.onResponse(req, status, now);
      },
      onFailure: (req, kind, now) => {
        this.calls.failure(req.call, kind, Math.floor(this.nowSec(now)));
        this.onFailure(req, kind, now);
      },
    });
    // Listeners attach after runLoad returns; the first tick (and first events) come after that.
    setImmediate(() => this.tick());
  }

  then<A = LoadResult, B = never>(
    onFulfilled?: ((value: LoadResult) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.promise.then(onFulfilled, onRejected);
  }

  catch<T = never>(onRejected: (reason: unknown) => T | PromiseLike<T>): Promise<LoadResult | T> {
    return this.promise.catch(onRejected);
  }

  async stop(): Promise<void> {
    if (!this.finished && this.stoppedAtSec === undefined && this.sec < this.schedule.perSecond.length) {
      this.stoppedAtSec = this.sec;
      this.wake(0);
    }
    await this.promise.then(
      () => undefined,
      () => undefined,
    );
  }

  private nowSec(nowMs = performance.now()): number {
    return (nowMs - this.startMs) / 1000;
  }

  private tally(t: number): SecondTally {
    let tally = this.tallies[t];
    if (!tally) {
      tally = new SecondTally();
      this.tallies[t] = tally;
    }
    return tally;
  }

  private get dispatching(): boolean {
    return this.stoppedAtSec === undefined && this.sec < this.schedule.perSecond.length;
  }

  /**
   * When the cursor next has work (wall seconds): its next arrival, or, once its second is done,
   * the end of that second. The cursor never runs ahead of the wall clock, so pauses take real time.
   */
  private nextDueAt(): number {
    const n = (this.schedule.perSecond[this.sec] as { scheduled: number }).scheduled;
    const len = Math.min(1, this.schedule.wallDurationSec - this.sec);
    if (this.idx >= n) return this.sec + len;
    return this.sec + ((this.idx + 0.5) * len) / n;
  }

  private tick(): void {
    this.timer = undefined;
    this.immediate = undefined;
    this.wakeAt = Number.POSITIVE_INFINITY;
    if (this.finished) return;
    try {
      this.step();
    } catch (err) {
      this.fail(err);
    }
  }

  private step(): void {
    const nowMs = performance.now();
    const now = this.nowSec(nowMs);
    this.dispatchDue(now, nowMs);
    this.announcePhases(now);
    if (!this.dispatching && this.pool.inFlight === 0) return this.finish(now);
    while (this.emitted + 1 <= now && (this.emitted < this.sec || !this.dispatching)) this.emitSecond(this.emitted);
    if (!this.dispatching && !this.drainAnnounced && this.stoppedAtSec === undefined && now >= this.schedule.wallDurationSec) {
      this.drainAnnounced = true;
      this.emit('phase', { name: DRAIN_PHASE, t: this.schedule.wallDurationSec });
    }
    let next = this.emitted + 1;
    if (this.dispatching) next = Math.min(next, this.nextDueAt());
    const phase = this.stoppedAtSec === undefined ? this.schedule.phases[this.nextPhase] : undefined;
    if (phase) next = Math.min(next, phase.startSec);
    this.wake((next - this.nowSec()) * 1000);
  }

  private dispatchDue(now: number, nowMs: number): void {
    const perSecond = this.schedule.perSecond;
    while (this.dispatching) {
      const at = this.nextDueAt();
      if (at > now) return;
      const n = (perSecond[this.sec] as { scheduled: number }).scheduled;
      if (this.idx >= n) {
        this.seqBase += n;
        this.sec++;
        this.idx = 0;
        continue;
      }
      this.dispatch(this.sec, this.seqBase + this.idx, this.startMs + at * 1000, nowMs);
      this.idx++;
    }
  }

  private dispatch(sec: number, seq: number, intendedMs: number, nowMs: number): void {
    const tally = this.tally(sec);
    if (!this.pool.canSend()) {
      tally.dropped++;
      this.dropped++;
      this.calls.dropped(this.source.nameOf(seq));
      return;
    }
    const call = this.source.make(seq);
    this.calls.sent(call.name);
    this.pool.send({ seq, call: call.name, intendedMs, buffer: requestBuffer(this.target, call) }, nowMs);
    tally.sent++;
    this.sent++;
    recordLatencyMs(this.lag, Math.max(0, nowMs - intendedMs));
  }

  private announcePhases(now: number): void {
    const phases = this.schedule.phases;
    while (this.stoppedAtSec === undefined && this.nextPhase < phases.length) {
      const p = phases[this.nextPhase] as (typeof phases)[number];
      if (p.startSec > now) return;
      this.emit('phase', { name: p.name, t: p.startSec });
      this.nextPhase++;
    }
  }

  private onResponse(req: PoolRequest, status: number, nowMs: number): void {
    const t = Math.floor(this.nowSec(nowMs));
    const latencyMs = nowMs - req.intendedMs;
    this.tally(t).recordResponse(status, latencyMs);
    recordLatencyMs(this.latency, latencyMs);
    this.completed++;
    this.lastActivitySec = Math.max(this.lastActivitySec, t);
    const code = String(status);
    this.status[code] = (this.status[code] ?? 0) + 1;
    this.opts.onOutcome?.(req.seq, status);
    if (!this.dispatching && this.pool.inFlight === 0) this.wake(0);
  }

  private onFailure(req: PoolRequest, kind: ErrorKind, nowMs: number): void {
    const t = Math.floor(this.nowSec(nowMs));
    this.tally(t).recordError(kind);
    this.lastActivitySec = Math.max(this.lastActivitySec, t);
    this.errors[kind] = (this.errors[kind] ?? 0) + 1;
    this.opts.onOutcome?.(req.seq, 0, kind);
    if (!this.dispatching && this.pool.inFlight === 0) this.wake(0);
  }

  private emitSecond(t: number): void {
    const planned = this.schedule.perSecond[t];
    const inPlan = planned !== undefined && (this.stoppedAtSec === undefined || t <= this.stoppedAtSec);
    const meta = inPlan
      ? { t, clock: planned.clock, phase: planned.phase, scheduled: planned.scheduled }
      : { t, clock: this.schedule.clockAt(t), phase: DRAIN_PHASE, scheduled: 0 };
    const second = this.tally(t).toLoadSecond(meta);
    this.calls.annotate(second);
    delete this.tallies[t];
    this.seconds.push(second);
    this.emitted = t + 1;
    this.emit('second', second);
  }

  private wake(delayMs: number): void {
    const at = performance.now() + Math.max(0, delayMs);
    if (this.pending && at >= this.wakeAt) return;
    this.cancelWake();
    this.wakeAt = at;
    // Arrivals closer together than 1 ms go out in 1 ms batches (timers cannot fire sooner): spinning
    // on setImmediate instead would burn a core that the service under test shares.
    if (delayMs <= 0) this.immediate = setImmediate(() => this.tick());
    else this.timer = setTimeout(() => this.tick(), Math.max(1, Math.floor(delayMs)));
  }

  private get pending(): boolean {
    return this.timer !== undefined || this.immediate !== undefined;
  }

  private cancelWake(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private finish(now: number): void {
    const planned = this.stoppedAtSec ?? this.schedule.perSecond.length - 1;
    const last = Math.max(planned, this.lastActivitySec, this.tallies.length - 1);
    while (this.emitted <= last) this.emitSecond(this.emitted);
    this.finished = true;
    this.cancelWake();
    this.pool.close();
    const lag = summarizeLatencyWithMean(this.lag);
    const result: LoadResult = {
      seconds: this.seconds,
      latency: summarizeLatencyWithMean(this.latency),
      scheduled: this.seconds.reduce((n, s) => n + s.scheduled, 0),
      requests: this.sent,
      completed: this.completed,
      dropped: this.dropped,
      status: this.status,
      errors: this.errors,
      sendLagMs: { p99: lag.p99, max: lag.max },
      connectionsOpened: this.pool.opened,
      durationSec: Math.round(now * 1000) / 1000,
      ...this.calls.result(),
    };
    if (this.stoppedAtSec !== undefined) result.stoppedAtSec = this.stoppedAtSec;
    this.latency.destroy();
    this.lag.destroy();
    this.emit('done', result);
    this.resolve(result);
  }

  private fail(err: unknown): void {
    this.finished = true;
    this.cancelWake();
    this.pool.close();
    this.reject(err);
  }
}
