// The open-model load driver. Arrivals come from the schedule, spread evenly inside each wall second,
// and each is sent at its time whether or not earlier requests have been answered, on an undici pool
// capped at the in-flight limit. An arrival that finds the pool full waits a millisecond for a
// connection to come free, then is dropped and counted at the next tick (a few milliseconds at most),
// never queued longer: queuing would let a struggling service set the pace, which is exactly the
// overload a burst test must expose. Before the first arrival the driver opens connections for the first
// seconds and builds their calls, so second 0 runs on schedule like every other second.
import { EventEmitter } from 'node:events';
import type { CallSummary, FirstError, LatencySummary, LoadSecond, StatusClasses } from '../run-record.ts';
import { callInfos, createCallSource, type CallSource } from '../../scenarios/calls/call-source.ts';
import type { Call } from '../../scenarios/payloads.ts';
import { CallTally } from './call-tally.ts';
import type { Schedule, ScheduleSecond } from '../../scenarios/schedule.ts';
import { DRAIN_PHASE } from '../../scenarios/scenario-rules.ts';
import type { ErrorKind } from './error-kind.ts';
import { HttpPool, type PoolRequest } from './http-pool.ts';
import { createLatencyHistogram, recordLatencyMs, summarizeLatency, summarizeLatencyWithMean, type LatencyHistogram } from './latency.ts';
import { InFlightMarks } from './in-flight-marks.ts';
import { SecondTally } from './second-tally.ts';
import { statusKey } from './status-key.ts';
import { TOOL_VERSION } from '../version.ts';

export interface LoadOptions {
  /** http://host:port[/base-path] of the target; calls' paths are appended to it. */
  targetUrl: string;
  schedule: Schedule;
  /** Requests allowed in flight at once (one per connection); arrivals beyond it are dropped. */
  inFlightLimit?: number;
  /** A request unanswered after this long is failed as a timeout and its connection closed. */
  timeoutMs?: number;
  /**
   * How long an arrival that finds all connections busy waits for one to come free before it is
   * dropped; the wait counts as latency. Default DEFAULT_WAIT_FOR_CONNECTION_MS.
   */
  waitForConnectionMs?: number;
  /** Prefix of every X-Request-Id: `${runId}-${seq}`. */
  runId: string;
  /** Called once per sent request: the HTTP status, or 0 with the error kind. */
  onOutcome?: (seq: number, status: number, errorKind?: ErrorKind) => void;
  /**
   * Wall time of the first arrival, in ms as performance.timeOrigin + performance.now() (the run's clock). Until then the driver warms up: opens connections and
   * builds the first second's calls. Unset: it starts as soon as it is warm.
   */
  startAtEpochMs?: number;
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
  /**
   * Stop sending; requests in flight finish (or time out). With `graceMs`, those still unanswered
   * after it are given up and counted as timeouts (an aborted run judges what it has, now).
   * Resolves when the run is done.
   */
  stop(graceMs?: number): Promise<void>;
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
  origin: string;
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
    origin: url.origin,
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : 80,
    host: url.host,
    basePath: url.pathname.replace(/\/+$/, ''),
  };
}

/** Sent with every call that does not set its own User-Agent. */
export const USER_AGENT = `rushgate/${TOOL_VERSION}`;

/**
 * The request for call `seq`, as the pool sends it: the call's own method, headers and body, under the
 * base path, with rushgate's User-Agent unless the call names one.
 */
export function poolRequest(target: Target, call: Call, seq: number, intendedMs: number): PoolRequest {
  return { seq, name: call.name, intendedMs, method: call.method, path: target.basePath + call.path, headers: withUserAgent(call.headers), body: call.body };
}

/** The headers with `user-agent` added when no header of that name (any case) is there; added in place when the object allows it (calls are built fresh for each arrival). */
export function withUserAgent(headers: Record<string, string>): Record<string, string> {
  for (const name in headers) if (name.length === 10 && name.toLowerCase() === 'user-agent') return headers;
  if (!Object.isExtensible(headers)) return { ...headers, 'user-agent': USER_AGENT };
  headers['user-agent'] = USER_AGENT;
  return headers;
}

/**
 * Connections to open before the first arrival: 100 ms of the busiest of the first two seconds. A
 * cold start (JIT, a stall of the machine) makes the first arrivals wait for answers, and every
 * arrival that finds no free connection then pays a TCP handshake on the clock.
 */
export function warmConnections(schedule: Schedule, limit: number): number {
  let rate = 0;
  for (let t = 0; t < Math.min(2, schedule.seconds); t++) rate = Math.max(rate, schedule.second(t).scheduled);
  if (rate === 0) return 0;
  return Math.min(limit, WARM_CONNECTIONS_MAX, Math.ceil(rate * 0.1) + 2);
}

const WARM_CONNECTIONS_MAX = 512;
/**
 * Calls built and thrown away before the clock starts, at most: enough to compile the call generator.
 * They are not kept for the first arrivals: calls that outlive two young-generation collections teach
 * V8 to allocate every later call from the same code straight in the old generation (allocation-site
 * pretenuring), and each call's strings then survive until a full collection. Kept, 2,000 of them made
 * the driver promote ~440 KB per scavenge instead of ~90 KB for the rest of the run, 4-8% of its CPU
 * flat out. Building is deterministic (seeded by `seq`), so building one twice gives the same call.
 */
const WARM_UP_CALLS_MAX = 2_000;
/** Dense arrivals go out in batches this far apart: one timer per tick, not one per arrival. */
const TICK_MS = 2;
/** Longest a tick sends before it lets responses in. */
const TICK_BUDGET_MS = 4;
/**
 * Dropping an arrival that finds every connection busy at the first tick left the connections freed
 * just after it idle until the next tick whenever that tick had emptied the backlog: 2-15% of a
 * saturated pool's capacity (docs/perf.md). A millisecond's wait keeps them fed; an arrival that waits
 * is a few milliseconds late at most, which its latency shows.
 */
export const DEFAULT_WAIT_FOR_CONNECTION_MS = 1;

class OpenModelRun extends EventEmitter {
  private readonly schedule: Schedule;
  private readonly target: Target;
  private readonly pool: HttpPool;
  /** performance.now() of load start; set when the warm-up ends. */
  private startMs = Number.NaN;
  /** Tallies of the seconds not emitted yet: a handful at any time, whatever the run's length. */
  private readonly tallies = new Map<number, SecondTally>();
  /** The second the dispatch cursor is in, computed once from the schedule. */
  private current: ScheduleSecond | undefined;
  private readonly seconds: LoadSecond[] = [];
  private readonly inFlight = new InFlightMarks();
  /** Whole-run latency: each second's histogram is added to it when the second is emitted. */
  private readonly latency: LatencyHistogram = createLatencyHistogram();
  private readonly lag: LatencyHistogram = createLatencyHistogram();
  private readonly status: Record<string, number> = {};
  private readonly errors: Record<string, number> = {};
  private readonly calls: CallTally;
  private readonly source: CallSource;
  private readonly waitForConnectionMs: number;
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
  private tickStartMs = 0;

  constructor(private readonly opts: LoadOptions) {
    super();
    const limit = opts.inFlightLimit ?? DEFAULT_IN_FLIGHT_LIMIT;
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isInteger(limit) || limit < 1) throw new LoadConfigError(`inFlightLimit ${limit}: expected a whole number >= 1`);
    if (!(timeoutMs > 0)) throw new LoadConfigError(`timeoutMs ${timeoutMs}: expected a positive number of milliseconds`);
    this.waitForConnectionMs = opts.waitForConnectionMs ?? DEFAULT_WAIT_FOR_CONNECTION_MS;
    if (!(this.waitForConnectionMs >= 0 && this.waitForConnectionMs < timeoutMs)) {
      throw new LoadConfigError(`waitForConnectionMs ${this.waitForConnectionMs}: expected milliseconds >= 0 and below timeoutMs (${timeoutMs})`);
    }
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
      origin: this.target.origin,
      hostname: this.target.hostname,
      port: this.target.port,
      limit,
      timeoutMs,
      onResponse: (req, status, now, answer) => {
        this.calls.response(req.name, status, now - req.intendedMs, Math.floor(this.nowSec(now)), answer);
        this.onResponse(req, status, now);
      },
      onFailure: (req, kind, now) => {
        this.calls.failure(req.name, kind, Math.floor(this.nowSec(now)));
        this.onFailure(req, kind, now);
      },
    });
    // Listeners attach after runLoad returns; the first tick (and first events) come after that.
    this.warmUp(limit).then(
      () => this.begin(),
      (err: unknown) => this.fail(err),
    );
  }

  private async warmUp(limit: number): Promise<void> {
    await this.pool.warm(warmConnections(this.schedule, limit));
    // Building the first calls now compiles the call generator before it is on the clock.
    const first = this.schedule.seconds > 0 ? this.schedule.second(0).scheduled : 0;
    const n = Math.min(first, WARM_UP_CALLS_MAX);
    for (let seq = 0; seq < n; seq++) this.buildRequest(seq, 0);
  }

  private begin(): void {
    if (this.finished) return;
    const waitMs = this.opts.startAtEpochMs === undefined ? 0 : this.opts.startAtEpochMs - (performance.timeOrigin + performance.now());
    const go = () => {
      // On the caller's clock even when warming up overran it: the seconds then line up with the
      // run's other clocks, and arrivals already due are sent at once (late, which shows as latency).
      const startAt = this.opts.startAtEpochMs;
      this.startMs = startAt === undefined ? performance.now() : Math.min(performance.now(), startAt - performance.timeOrigin);
      this.tick();
    };
    if (waitMs > 0) this.timer = setTimeout(go, waitMs);
    else setImmediate(go);
  }

  private buildRequest(seq: number, intendedMs: number): PoolRequest {
    return poolRequest(this.target, this.source.make(seq), seq, intendedMs);
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

  async stop(graceMs?: number): Promise<void> {
    if (graceMs !== undefined && !this.finished) {
      setTimeout(() => {
        if (this.finished) return;
        this.pool.abandon('timeout');
        this.wake(0);
      }, graceMs).unref();
    }
    if (!this.finished && this.stoppedAtSec === undefined && this.sec < this.schedule.seconds) {
      this.stoppedAtSec = this.sec;
      if (Number.isNaN(this.startMs)) {
        // Stopped before the first arrival: nothing was sent.
        this.cancelWake();
        this.startMs = performance.now();
      }
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
    let tally = this.tallies.get(t);
    if (!tally) {
      tally = new SecondTally();
      this.tallies.set(t, tally);
    }
    return tally;
  }

  private get dispatching(): boolean {
    return this.stoppedAtSec === undefined && this.sec < this.schedule.seconds;
  }

  private scheduledIn(sec: number): number {
    if (this.current?.t !== sec) this.current = this.schedule.second(sec);
    return this.current.scheduled;
  }

  /**
   * When the cursor next has work (wall seconds): its next arrival, or, once its second is done,
   * the end of that second. The cursor never runs ahead of the wall clock, so pauses take real time.
   */
  private nextDueAt(): number {
    const n = this.scheduledIn(this.sec);
    const len = Math.min(1, this.schedule.wallDurationSec - this.sec);
    if (this.idx >= n) return this.sec + len;
    return this.sec + ((this.idx + 0.5) * len) / n;
  }

  private tick(): void {
    if (Number.isNaN(this.startMs)) return;
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
    this.tickStartMs = nowMs;
    const caughtUp = this.dispatchDue(now, nowMs);
    this.announcePhases(now);
    if (!this.dispatching && this.pool.inFlight === 0) return this.finish(now);
    while (this.emitted + 1 <= now && (this.emitted < this.sec || !this.dispatching)) this.emitSecond(this.emitted);
    if (!this.dispatching && !this.drainAnnounced && this.stoppedAtSec === undefined && now >= this.schedule.wallDurationSec) {
      this.drainAnnounced = true;
      this.emit('phase', { name: DRAIN_PHASE, t: this.schedule.wallDurationSec });
    }
    if (!caughtUp) return this.wake(0);
    let next = this.emitted + 1;
    if (this.dispatching) next = Math.min(next, Math.max(this.nextDueAt(), now + TICK_MS / 1000));
    const phase = this.stoppedAtSec === undefined ? this.schedule.phases[this.nextPhase] : undefined;
    if (phase) next = Math.min(next, phase.startSec);
    this.wake((next - this.nowSec()) * 1000);
  }

  /** Sends what is due; false when it stopped early to let responses in (more is due at once). */
  private dispatchDue(now: number, nowMs: number): boolean {
    let sent = 0;
    while (this.sendNextDue(now, nowMs)) {
      // A batch that runs long (a stall made many arrivals due at once) yields to I/O: responses
      // free connections for the rest, where a long batch would open a new connection for each.
      if (++sent % 16 === 0) {
        nowMs = performance.now();
        if (nowMs - this.tickStartMs > TICK_BUDGET_MS) return !this.actionable(now);
      }
    }
    return true;
  }

  private dispatch(sec: number, seq: number, intendedMs: number, nowMs: number): void {
    const tally = this.tally(sec);
    if (!this.pool.canSend()) {
      tally.dropped++;
      this.dropped++;
      this.calls.dropped(this.source.nameOf(seq));
      return;
    }
    const req = this.buildRequest(seq, intendedMs);
    this.calls.sent(req.name);
    this.pool.send(req);
    this.inFlightChanged(nowMs);
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
    this.inFlightChanged(nowMs);
    this.completed++;
    this.lastActivitySec = Math.max(this.lastActivitySec, t);
    const code = statusKey(status);
    this.status[code] = (this.status[code] ?? 0) + 1;
    this.opts.onOutcome?.(req.seq, status);
    this.connectionFreed(nowMs);
  }

  /**
   * A connection came free. If it was the last, the run may be done. If an arrival is already due, it
   * goes out now on the freed connection, from inside this response's callback: undici defers every
   * request on a reused idle socket to the loop's check phase (its idle-socket validation), so a request
   * sent from a tick that itself runs in the check phase would wait a whole loop iteration more. The
   * rest of what is due (and the drops) is left to the tick right after this batch of I/O, so the other
   * connections freed in the batch take their arrivals too.
   */
  private connectionFreed(nowMs: number): void {
    if (!this.dispatching) {
      if (this.pool.inFlight === 0) this.wake(0);
      return;
    }
    if (Number.isNaN(this.startMs)) return;
    const now = this.nowSec(nowMs);
    if (this.nextDueAt() > now) return;
    if (this.pool.canSend()) {
      try {
        this.sendNextDue(now, nowMs);
      } catch (err) {
        return this.fail(err);
      }
    }
    if (this.immediate === undefined && this.actionable(now)) this.wake(0);
  }

  /**
   * Sends (or drops) the next arrival if it is due by `now`; false when none is, or when it is waiting
   * for a connection to come free (waitForConnectionMs).
   */
  private sendNextDue(now: number, nowMs: number): boolean {
    while (this.dispatching) {
      const at = this.nextDueAt();
      if (at > now) return false;
      const n = this.scheduledIn(this.sec);
      if (this.idx >= n) {
        this.nextSecond(n);
        continue;
      }
      if (this.waitsForConnection(at, now)) return false;
      this.dispatch(this.sec, this.seqBase + this.idx, this.startMs + at * 1000, nowMs);
      this.idx++;
      return true;
    }
    return false;
  }

  /** Whether the arrival due at `at` (wall seconds) finds no connection free and may still wait for one at `now`. */
  private waitsForConnection(at: number, now: number): boolean {
    return (now - at) * 1000 < this.waitForConnectionMs && !this.pool.canSend();
  }

  /** Whether an arrival is due that can go out (or must be dropped) right now. */
  private actionable(now: number): boolean {
    if (!this.dispatching) return false;
    const at = this.nextDueAt();
    return at <= now && !this.waitsForConnection(at, now);
  }

  private nextSecond(n: number): void {
    this.seqBase += n;
    this.sec++;
    this.idx = 0;
  }

  private onFailure(req: PoolRequest, kind: ErrorKind, nowMs: number): void {
    const t = Math.floor(this.nowSec(nowMs));
    this.tally(t).recordError(kind);
    this.inFlightChanged(nowMs);
    this.lastActivitySec = Math.max(this.lastActivitySec, t);
    this.errors[kind] = (this.errors[kind] ?? 0) + 1;
    this.opts.onOutcome?.(req.seq, 0, kind);
    this.connectionFreed(nowMs);
  }

  private inFlightChanged(nowMs: number): void {
    const t = Math.floor(this.nowSec(nowMs));
    if (t >= 0) this.inFlight.change(t, this.pool.inFlight);
  }

  private emitSecond(t: number): void {
    const planned = t < this.schedule.seconds ? (this.current?.t === t ? this.current : this.schedule.second(t)) : undefined;
    const inPlan = planned !== undefined && (this.stoppedAtSec === undefined || t <= this.stoppedAtSec);
    const meta = inPlan
      ? { t, clock: planned.clock, phase: planned.phase, scheduled: planned.scheduled }
      : { t, clock: this.schedule.clockAt(t), phase: DRAIN_PHASE, scheduled: 0 };
    const second = this.tally(t).toLoadSecond(meta, this.latency);
    second.inFlightMax = this.inFlight.take(t);
    this.calls.annotate(second);
    this.tallies.delete(t);
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
    const planned = this.stoppedAtSec ?? this.schedule.seconds - 1;
    const last = Math.max(planned, this.lastActivitySec, ...this.tallies.keys());
    while (this.emitted <= last) this.emitSecond(this.emitted);
    this.finished = true;
    this.cancelWake();
    this.pool.close();
    const lag = summarizeLatency(this.lag); // p99 and max only: the mean would walk the whole histogram again
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
    if (this.finished) return;
    this.finished = true;
    this.cancelWake();
    this.pool.close();
    this.reject(err);
  }
}

