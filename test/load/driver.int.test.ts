// The open-model driver against real local HTTP servers (node:http on an ephemeral loopback port).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runLoad, type LoadResult } from '../../harness/load/driver.ts';
import type { LoadSecond } from '../../harness/run-record.ts';
import { defineScenario, type PhaseSpec } from '../../scenarios/define-scenario.ts';
import { resolveSchedule, type Schedule } from '../../scenarios/schedule.ts';

type Mode =
  | { kind: 'ok'; keepAliveTimeoutMs?: number; closeEach?: boolean }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'hang' }
  | { kind: 'reset' };

interface TestServer {
  url: string;
  ids: string[];
  /** performance.now() at which each request reached the handler. */
  arrivals: number[];
  contentTypes: Set<string>;
  maxConcurrent: number;
  /** TCP connections the server accepted. */
  connections: number;
  close(): Promise<void>;
}

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function startServer(mode: Mode): Promise<TestServer> {
  let concurrent = 0;
  const state = { ids: [] as string[], arrivals: [] as number[], contentTypes: new Set<string>(), maxConcurrent: 0 };
  const server = http.createServer((req, res) => {
    concurrent++;
    state.maxConcurrent = Math.max(state.maxConcurrent, concurrent);
    res.on('close', () => concurrent--);
    state.ids.push(String(req.headers['x-request-id']));
    state.arrivals.push(performance.now());
    state.contentTypes.add(String(req.headers['content-type']));
    if (mode.kind === 'reset') return req.socket.destroy();
    req.resume();
    req.on('end', () => {
      if (mode.kind === 'hang') return;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (mode.kind === 'ok' && mode.closeEach) headers.connection = 'close';
      const reply = () => res.writeHead(200, headers).end('{"ok":true}');
      if (mode.kind === 'slow') setTimeout(reply, mode.delayMs);
      else reply();
    });
  });
  if (mode.kind === 'ok' && mode.keepAliveTimeoutMs) server.keepAliveTimeout = mode.keepAliveTimeoutMs;
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const handle: TestServer = {
    url: `http://127.0.0.1:${port}`,
    get ids() { return state.ids; },
    get arrivals() { return state.arrivals; },
    get contentTypes() { return state.contentTypes; },
    get maxConcurrent() { return state.maxConcurrent; },
    get connections() { return connections; },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
  servers.push(handle);
  return handle;
}

/** A flat load of `rps` for `seconds` wall seconds (1 scenario minute per wall second), then extra phases. */
function flat(rps: number, seconds: number, after: PhaseSpec[] = []): Schedule {
  const extra = after.reduce((n, p) => n + (p.minutes ?? 0), 0);
  const scenario = defineScenario({
    name: 'flat', description: 'flat test load', clockStart: '07:00', defaultDurationSec: seconds + extra, peakRps: rps, seed: 11,
    mix: { 'item-put': { weight: 1 } },
    phases: [{ kind: 'constant-rate', name: 'flat', minutes: seconds, rps }, ...after],
  });
  return resolveSchedule(scenario);
}

function collect(run: ReturnType<typeof runLoad>) {
  const seconds: LoadSecond[] = [];
  const phases: Array<{ name: string; t: number }> = [];
  run.on('second', (s: LoadSecond) => seconds.push(s));
  run.on('phase', (p: { name: string; t: number }) => phases.push(p));
  return { seconds, phases };
}

/** Gaps in this process's event loop (it was not running), in seconds since the watch began. */
function watchStalls(minMs = 25) {
  const start = performance.now();
  const gaps: Array<[number, number]> = [];
  let last = start;
  const timer = setInterval(() => {
    const now = performance.now();
    if (now - last > minMs + 5) gaps.push([(last - start) / 1000, (now - start) / 1000]);
    last = now;
  }, 5);
  return {
    stop: () => clearInterval(timer),
    describe: () => gaps.map(([a, b]) => `${a.toFixed(2)}s+${Math.round((b - a) * 1000)}ms`).join(' ') || 'none',
  };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('runLoad against a server that keeps up', () => {
  it('sends every scheduled arrival once, with its id and JSON content type, and reports each outcome', async () => {
    const server = await startServer({ kind: 'ok' });
    const outcomes = new Map<number, number>();
    const run = runLoad({
      targetUrl: server.url, schedule: flat(300, 4), runId: 'keepup', inFlightLimit: 1000, timeoutMs: 5000,
      onOutcome: (seq, status) => outcomes.set(seq, (outcomes.get(seq) ?? 0) * 1000 + status),
    });
    const seen = collect(run);
    const result: LoadResult = await run;

    const planned = result.seconds.filter((s) => s.phase === 'flat');
    expect(planned.map((s) => [s.scheduled, s.sent, s.dropped])).toEqual([[300, 300, 0], [300, 300, 0], [300, 300, 0], [300, 300, 0]]);
    expect(result).toMatchObject({ scheduled: 1200, requests: 1200, completed: 1200, dropped: 0, status: { '200': 1200 }, errors: {} });
    expect(sum(result.seconds.map((s) => s.completed))).toBe(1200);
    // Every request reached the server once, carrying the id the run can reconcile later.
    expect([...server.ids].sort()).toEqual(Array.from({ length: 1200 }, (_, seq) => `keepup-${seq}`).sort());
    expect([...server.contentTypes]).toEqual(['application/json']);
    expect(outcomes.size).toBe(1200);
    expect([...outcomes.values()].every((v) => v === 200)).toBe(true);
    expect(seen.seconds).toEqual(result.seconds);
    // 'drain' follows only when responses were still due as the timeline ended.
    expect(seen.phases[0]).toEqual({ name: 'flat', t: 0 });
    expect(seen.phases.slice(1)).toEqual(seen.phases.length > 1 ? [{ name: 'drain', t: 4 }] : []);
    expect(result.latency.mean).toBeGreaterThan(0);
    expect(result.latency.p99).toBeLessThan(2000);
  });

  it('holds the schedule: the rate the server sees is within 2% of scheduled in every second after the first', async () => {
    // Achieved = requests that reached the server in that wall second: the rate the target saw.
    // Median send lateness is about 1 ms, but on a shared 2-core machine this process is at times
    // descheduled for 20-700 ms, and a stall across a second's edge moves arrivals into the next
    // second (their lateness then counts as latency). So the run gets up to three attempts; one with
    // every second after the first within 2% passes, and a failure lists each attempt with the
    // stalls measured during it. A driver that waits for responses or falls behind fails all three.
    const server = await startServer({ kind: 'ok' });
    // The first second of the first load in a fresh worker runs cold (module and JIT warm-up) and
    // spills into the next second; one warm-up second keeps that out of the measurement.
    await runLoad({ targetUrl: server.url, schedule: flat(300, 1), runId: 'warmup' });
    const attempts: string[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const stalls = watchStalls(20);
      const startedAt = performance.now();
      const before = server.arrivals.length;
      const result = await runLoad({ targetUrl: server.url, schedule: flat(300, 6), runId: `rate${attempt}`, inFlightLimit: 1000 });
      stalls.stop();
      expect(result.dropped).toBe(0);
      const arrivals = server.arrivals.slice(before);
      const achieved = [0, 1, 2, 3, 4, 5].map((t) => arrivals.filter((at) => at >= startedAt + t * 1000 && at < startedAt + (t + 1) * 1000).length);
      const off = [1, 2, 3, 4, 5].filter((t) => Math.abs((achieved[t] as number) - 300) > 300 * 0.02);
      attempts.push(`attempt ${attempt}: server saw ${JSON.stringify(achieved)}/s, off by >2% in seconds ${JSON.stringify(off)}, stalls ${stalls.describe()}`);
      if (off.length === 0) {
        if (attempt > 1) console.warn(`driver timing held on attempt ${attempt}:\n${attempts.join('\n')}`);
        return;
      }
    }
    expect.fail(`no attempt held every second within 2%:\n${attempts.join('\n')}`);
  });
});

describe('runLoad against a slow server', () => {
  it('drops what the in-flight limit cannot hold and accounts for every arrival', async () => {
    const server = await startServer({ kind: 'slow', delayMs: 1000 });
    const schedule = flat(40, 3);
    const run = runLoad({ targetUrl: server.url, schedule, runId: 'slow', inFlightLimit: 10, timeoutMs: 5000 });
    const { phases } = collect(run);
    const result = await run;

    const planned = result.seconds.filter((s) => s.phase === 'flat');
    expect(planned).toHaveLength(3);
    for (const s of planned) {
      expect(s.sent + s.dropped, `second ${s.t}`).toBe(s.scheduled);
      expect(s.dropped, `second ${s.t}`).toBeGreaterThan(0);
    }
    expect(result.dropped).toBe(sum(planned.map((s) => s.dropped)));
    expect(result.requests + result.dropped).toBe(120);
    expect(server.maxConcurrent).toBeLessThanOrEqual(10);
    // The service's concurrency, per second: the limit in every planned second, and still some in the
    // first drain second (it began with the last second's sends in flight).
    expect(planned.map((s) => s.inFlightMax)).toEqual([10, 10, 10]);
    expect(result.completed).toBe(result.requests);
    // Responses to the last second's sends land after the timeline: reported as drain seconds.
    const drain = result.seconds.filter((s) => s.phase === 'drain');
    expect(drain.length).toBeGreaterThan(0);
    expect(drain.every((s) => s.scheduled === 0 && s.sent === 0)).toBe(true);
    expect(sum(drain.map((s) => s.completed))).toBeGreaterThan(0);
    expect(drain[0]!.inFlightMax).toBeGreaterThan(0);
    expect(phases.map((p) => p.name)).toEqual(['flat', 'drain']);
    // Latency is counted from the intended send time, so the 1 s delay shows in full.
    expect(result.latency.p50).toBeGreaterThanOrEqual(1000);
  });

  // One connection, answers after 700 ms, arrivals at 0.25 s and 0.75 s: the second finds the connection
  // busy for another ~200 ms. The long wait leaves room for a stalled test process.
  it('lets an arrival that finds every connection busy wait waitForConnectionMs for one, then drops it', async () => {
    const server = await startServer({ kind: 'slow', delayMs: 700 });
    const waited = await runLoad({ targetUrl: server.url, schedule: flat(2, 1), runId: 'wait', inFlightLimit: 1, waitForConnectionMs: 2000 });
    expect([waited.requests, waited.dropped, waited.completed]).toEqual([2, 0, 2]);
    // The wait counts as latency: ~200 ms on top of the 700 ms answer.
    expect(waited.latency.max).toBeGreaterThanOrEqual(850);

    const dropped = await runLoad({ targetUrl: server.url, schedule: flat(2, 1), runId: 'nowait', inFlightLimit: 1, waitForConnectionMs: 0 });
    expect([dropped.requests, dropped.dropped]).toEqual([1, 1]);
    expect(dropped.seconds[0]).toMatchObject({ sent: 1, dropped: 1, scheduled: 2 });
    expect(server.ids).toEqual(['wait-0', 'wait-1', 'nowait-0']);
  });

  it('rejects a wait for a connection that is negative or not below the request timeout', () => {
    const opts = { targetUrl: 'http://127.0.0.1:9', schedule: flat(1, 1), runId: 'bad', timeoutMs: 1000 };
    expect(() => runLoad({ ...opts, waitForConnectionMs: -1 })).toThrow(/waitForConnectionMs -1: expected milliseconds >= 0 and below timeoutMs \(1000\)/);
    expect(() => runLoad({ ...opts, waitForConnectionMs: 1000 })).toThrow(/waitForConnectionMs 1000/);
  });
});

describe('runLoad failures without a status', () => {
  it('times out unanswered requests and reports each outcome', async () => {
    const server = await startServer({ kind: 'hang' });
    const outcomes: Array<[number, number, string | undefined]> = [];
    const result = await runLoad({
      targetUrl: server.url, schedule: flat(20, 1), runId: 'hang', inFlightLimit: 50, timeoutMs: 300,
      onOutcome: (seq, status, kind) => outcomes.push([seq, status, kind]),
    });
    expect(result).toMatchObject({ requests: 20, completed: 0, errors: { timeout: 20 } });
    expect(outcomes.map(([seq]) => seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(outcomes.every(([, status, kind]) => status === 0 && kind === 'timeout')).toBe(true);
    expect(result.durationSec).toBeLessThan(2);
  });

  it('counts resets and refused connections by kind', async () => {
    const resetting = await startServer({ kind: 'reset' });
    const reset = await runLoad({ targetUrl: resetting.url, schedule: flat(20, 1), runId: 'reset', timeoutMs: 2000 });
    expect(reset).toMatchObject({ requests: 20, completed: 0, errors: { reset: 20 } });

    const gone = await startServer({ kind: 'ok' });
    await servers.pop()!.close();
    const refused = await runLoad({ targetUrl: gone.url, schedule: flat(20, 1), runId: 'refused', timeoutMs: 2000 });
    expect(refused).toMatchObject({ requests: 20, completed: 0, errors: { refused: 20 } });
    expect(sum(refused.seconds.map((s) => s.errors.refused ?? 0))).toBe(20);
  });
});

describe('runLoad connections', () => {
  it('reuses keep-alive connections and survives the server closing idle ones or closing after each response', async () => {
    // The server advertises its idle timeout (Keep-Alive: timeout=2) and closes after 2 s; the driver
    // closes idle connections 1 s before that, so the 1 s pause below costs one fresh connection.
    const eager = await startServer({ kind: 'ok', keepAliveTimeoutMs: 2000 });
    const paused = flat(20, 1, [
      { kind: 'pause', name: 'idle', minutes: 1 },
      { kind: 'constant-rate', name: 'again', minutes: 1, rps: 20 },
    ]);
    const afterIdle = await runLoad({ targetUrl: eager.url, schedule: paused, runId: 'idle' });
    expect(afterIdle).toMatchObject({ requests: 40, completed: 40, errors: {} });
    // 20 req/s on a fast server needs about one connection at a time, and a fresh one after the idle gap.
    expect(eager.connections).toBeLessThan(10);

    const closing = await startServer({ kind: 'ok', closeEach: true });
    const eachClosed = await runLoad({ targetUrl: closing.url, schedule: flat(30, 1), runId: 'close' });
    expect(eachClosed).toMatchObject({ requests: 30, completed: 30, errors: {} });
    expect(closing.connections).toBe(30);
    expect(eachClosed.connectionsOpened).toBe(30);
  });
});

describe('runLoad timeline', () => {
  it('lets pauses take their wall time and announces each phase', async () => {
    const server = await startServer({ kind: 'ok' });
    const run = runLoad({ targetUrl: server.url, schedule: flat(50, 2, [{ kind: 'pause', name: 'rest', minutes: 1 }]), runId: 'pause' });
    const { phases } = collect(run);
    const result = await run;
    expect(result.seconds.map((s) => [s.phase, s.scheduled])).toEqual([['flat', 50], ['flat', 50], ['rest', 0]]);
    expect(result.durationSec).toBeGreaterThanOrEqual(2.95);
    expect(phases).toEqual([{ name: 'flat', t: 0 }, { name: 'rest', t: 2 }]);
    expect(result.seconds.map((s) => s.clock)).toEqual(['07:00', '07:01', '07:02']);
  });

  it('stop() ends sending, lets in-flight requests finish, and marks where it stopped', async () => {
    const server = await startServer({ kind: 'slow', delayMs: 200 });
    const run = runLoad({ targetUrl: server.url, schedule: flat(100, 10), runId: 'stop', timeoutMs: 2000 });
    const started = performance.now();
    setTimeout(() => void run.stop(), 1500);
    const result = await run;
    const tookMs = performance.now() - started;
    expect(tookMs).toBeLessThan(3000);
    expect(result.stoppedAtSec).toBe(1);
    expect(result.requests).toBeGreaterThan(120);
    expect(result.requests).toBeLessThan(180);
    expect(result.completed).toBe(result.requests);
    expect(result.seconds.filter((s) => s.t > 1).every((s) => s.phase === 'drain' && s.scheduled === 0)).toBe(true);
    await run.stop(); // idempotent once done
  });
});
