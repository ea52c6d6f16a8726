// Benchmark (not a test): the open-model driver against bare autocannon and wrk, one trivial local
// server, the same request (an item PUT with a ~120 B JSON body). autocannon and wrk run closed-loop
// flat out on N connections; their rate is responses per second. The driver is measured twice:
//   flat out  - arrivals at 1.25x autocannon's rate on the same N connections (in-flight limit N). A
//               connection that comes free takes the next arrival already due at once, so every
//               connection is kept busy as in a closed loop, through the driver's one code path
//               (schedule, call source, pool, tallies); the 20% of arrivals it cannot send are dropped at
//               a few hundred ns each. Its answered rate is the driver's sustained maximum, the
//               like-for-like comparison with the closed-loop tools. Also CPU time per answered request,
//               driver vs autocannon. Each flat-out contender runs alone in a fresh process
//               (flat-out-contender.ts), one after the other against the same server.
//   held rate - the highest arrival rate it holds with its default in-flight limit: < 0.5% dropped and
//               >= 98% of the scheduled rate answered over the seconds after the first. An open model
//               cannot slow down when the machine stalls, so this is the stricter number.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Client } from 'undici';
import { DEFAULT_IN_FLIGHT_LIMIT, runLoad, type LoadResult } from '../harness/load/driver.ts';
import { makeCall } from '../scenarios/payloads.ts';
import { flatGetSchedule, flatSchedule, startTrivialServer } from './trivial-target.ts';

export interface BenchOptions {
  /** Connections of autocannon and wrk (closed loop). */
  connections?: number;
  /** The driver's in-flight limit (its default: 1,000); an open model needs headroom for stalls. */
  inFlightLimit?: number;
  /** Seconds each closed-loop contender runs. */
  closedLoopSec?: number;
  /** Seconds each driver trial runs (the first is warm-up and not judged). */
  trialSec?: number;
  log?: (line: string) => void;
  /** Skip the search for the highest held rate. */
  skipHeld?: boolean;
  /** Most trials of the held-rate search (default 5). */
  heldTrials?: number;
}

export interface DriverTrial {
  rate: number;
  held: boolean;
  answeredRps: number;
  droppedPct: number;
  lagP99Ms: number;
  /** CPU time of this process (user + system) per answered request, microseconds. */
  cpuUsPerRequest: number;
}

export interface BenchResult {
  connections: number;
  autocannonRps: number;
  wrkRps: number | undefined;
  /** Responses/s flat out on `connections` connections (arrivals at 1.25x autocannon's rate). */
  driverCapacityRps: number;
  /** CPU microseconds per answered request: the driver flat out, and autocannon. */
  driverCpuUs: number;
  autocannonCpuUs: number;
  /** Highest arrival rate held (open model, default in-flight limit). */
  driverHeldRps: number;
  /** Bare undici's closed loop on the same request (bareUndiciRps): the floor of its public API. */
  undiciRps: number;
  undiciCpuUs: number;
  /** The same flat-out contenders on templated GETs (no body): the goal's own measure. */
  get: { autocannonRps: number; autocannonCpuUs: number; undiciRps: number; undiciCpuUs: number; driverCapacityRps: number; driverCpuUs: number };
  trials: DriverTrial[];
}

/** PUT: the item PUT with its body; GET: the same path, no body, the request id header only. */
export type Method = 'PUT' | 'GET';

/** The request the closed-loop contenders repeat: the driver's own first call, frozen. */
function sampleRequest(method: Method): { method: Method; path: string; headers: Record<string, string>; body?: string } {
  const call = makeCall(flatSchedule(1, 1), 0, 'bench');
  return method === 'PUT'
    ? { method, path: call.path, headers: { 'content-type': 'application/json', 'x-request-id': call.requestId }, body: call.body }
    : { method, path: call.path, headers: { 'x-request-id': call.requestId } };
}

export async function autocannonRps(url: string, connections: number, seconds: number, method: Method = 'PUT'): Promise<{ rps: number; cpuUs: number }> {
  const { path, headers, body } = sampleRequest(method);
  const cpu0 = process.cpuUsage();
  const result = await autocannon({ url: url + path, connections, duration: seconds, method, headers, ...(body === undefined ? {} : { body }) });
  const cpu = process.cpuUsage(cpu0);
  return { rps: result['2xx'] / result.duration, cpuUs: (cpu.user + cpu.system) / Math.max(1, result['2xx']) };
}

/**
 * The floor of undici's public API for the closed-loop contenders' request: a closed loop on
 * `connections` Clients, the one prebuilt request re-sent as each answer ends, raw-header handlers,
 * nothing else. What the driver spends above this is its own; what this spends above autocannon is undici's.
 */
export async function bareUndiciRps(url: string, connections: number, seconds: number, method: Method = 'PUT'): Promise<{ rps: number; cpuUs: number }> {
  const opts = sampleRequest(method);
  const clients = Array.from({ length: connections }, () => new Client(url, { pipelining: 1 }));
  let answered = 0;
  let running = true;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    clients.map(
      (client) =>
        new Promise<void>((resolve) => {
          const handler = {
            onConnect() {},
            onHeaders: () => true,
            onData: () => true,
            onComplete() {
              answered++;
              if (running) client.dispatch(opts, handler);
              else resolve();
            },
            onError: () => resolve(),
          };
          client.dispatch(opts, handler);
        }),
    ).concat(new Promise<void>((r) => setTimeout(() => ((running = false), r()), seconds * 1000))),
  );
  const cpu = process.cpuUsage(cpu0);
  const sec = (performance.now() - t0) / 1000;
  await Promise.all(clients.map((c) => c.destroy().catch(() => {})));
  return { rps: answered / sec, cpuUs: (cpu.user + cpu.system) / Math.max(1, answered) };
}

async function wrkRps(url: string, connections: number, seconds: number): Promise<number | undefined> {
  const put = sampleRequest('PUT');
  const dir = mkdtempSync(join(tmpdir(), 'rushgate-bench-'));
  try {
    const script = join(dir, 'put.lua');
    writeFileSync(
      script,
      `wrk.method = "PUT"\nwrk.path = "${put.path}"\nwrk.body = '${put.body}'\n` +
        `wrk.headers["Content-Type"] = "application/json"\nwrk.headers["X-Request-Id"] = "${put.headers['x-request-id']}"\n`,
    );
    // One thread: the driver is one Node thread too.
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '-s', script, url], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += String(d)));
      child.on('error', reject);
      child.on('close', () => resolve(text));
    });
    const m = /Requests\/sec:\s+([\d.]+)/.exec(out);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined; // wrk not installed: the ratio is simply not printed
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function judgeTrial(rate: number, result: LoadResult, cpuUs = 0): DriverTrial {
  const judged = result.seconds.filter((s) => s.t >= 1 && s.phase !== 'drain');
  const scheduled = judged.reduce((n, s) => n + s.scheduled, 0);
  const answered = judged.reduce((n, s) => n + s.completed, 0);
  const dropped = judged.reduce((n, s) => n + s.dropped, 0);
  const droppedPct = scheduled > 0 ? (100 * dropped) / scheduled : 0;
  const held = scheduled > 0 && droppedPct < HELD_DROPPED_PCT && answered >= 0.98 * scheduled;
  return { rate, held, answeredRps: judged.length > 0 ? answered / judged.length : 0, droppedPct, lagP99Ms: result.sendLagMs.p99, cpuUsPerRequest: cpuUs / Math.max(1, result.completed) };
}

/** The arrival-accuracy goal's limit on dropped arrivals, also what "held" allows. */
export const HELD_DROPPED_PCT = 0.5;

export async function driverTrial(url: string, rate: number, inFlightLimit: number, seconds: number, method: Method = 'PUT'): Promise<DriverTrial> {
  const schedule = method === 'PUT' ? flatSchedule(rate, seconds) : flatGetSchedule(rate, seconds);
  const cpu0 = process.cpuUsage();
  const result = await runLoad({ targetUrl: url, schedule, runId: 'bench', inFlightLimit, timeoutMs: 5000 });
  const cpu = process.cpuUsage(cpu0);
  return judgeTrial(rate, result, cpu.user + cpu.system);
}

/**
 * Steps from a guess, up 8% while the rate holds and down 30% while it misses (a missed open-model rate
 * is often far off: a stall turns into dropped arrivals), until the outcome flips (at most `maxTrials`):
 * the highest rate that held, 0 when none did.
 */
async function driverMaxRps(url: string, guess: number, inFlightLimit: number, seconds: number, maxTrials: number, log: (l: string) => void) {
  const trials: DriverTrial[] = [];
  let best = 0;
  let rate = guess;
  let lastHeld: boolean | undefined;
  for (let i = 0; i < maxTrials; i++) {
    const trial = await driverTrial(url, Math.round(rate), inFlightLimit, seconds);
    trials.push(trial);
    log(`  driver @ ${trial.rate} req/s: ${trial.held ? 'held' : 'missed'} (answered ${trial.answeredRps.toFixed(0)}/s, dropped ${trial.droppedPct.toFixed(2)}%, send lag p99 ${trial.lagP99Ms} ms)`);
    if (trial.held) best = Math.max(best, trial.rate);
    if (lastHeld !== undefined && lastHeld !== trial.held && best > 0) break;
    lastHeld = trial.held;
    rate = trial.held ? rate * 1.08 : rate * 0.7;
  }
  return { max: best, trials };
}

interface ContenderResult {
  rps: number;
  cpuUs: number;
  droppedPct: number;
}

const CONTENDER = fileURLToPath(new URL('./flat-out-contender.ts', import.meta.url));

/** One flat-out contender in a fresh process (see flat-out-contender.ts for why). */
function contender(kind: 'autocannon' | 'undici' | 'driver', url: string, method: Method, seconds: number, connections: number, rate = 0): Promise<ContenderResult> {
  const args = ['--import', 'tsx', CONTENDER, kind, url, method, String(seconds), String(connections), String(rate)];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { timeout: (seconds + 30) * 1000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${kind} ${method} contender failed: ${String(stderr).trim() || err.message}`));
      resolve(JSON.parse(String(stdout).trim().split('\n').at(-1) as string) as ContenderResult);
    });
  });
}

export async function runDriverBench(opts: BenchOptions = {}): Promise<BenchResult> {
  const connections = opts.connections ?? 100;
  const closedLoopSec = opts.closedLoopSec ?? 5;
  const trialSec = opts.trialSec ?? 4;
  const log = opts.log ?? ((l: string) => console.log(l));
  const server = await startTrivialServer();
  try {
    // Driver and autocannon back to back, each in its own fresh process, each on a server that the
    // other has just warmed (each process also warms itself for a second first).
    const ac = await contender('autocannon', server.url, 'PUT', closedLoopSec, connections);
    log(`  autocannon (closed loop, ${connections} connections): ${ac.rps.toFixed(0)} req/s, ${ac.cpuUs.toFixed(0)} us CPU per request`);
    const undici = await contender('undici', server.url, 'PUT', closedLoopSec, connections);
    log(`  bare undici (closed loop, ${connections} connections): ${undici.rps.toFixed(0)} req/s, ${undici.cpuUs.toFixed(0)} us CPU per request`);
    const putRate = Math.round(ac.rps * 1.25);
    const flat = await contender('driver', server.url, 'PUT', trialSec, connections, putRate);
    log(`  driver flat out on ${connections} connections (arrivals at ${putRate}/s, ${flat.droppedPct.toFixed(0)}% dropped): ${flat.rps.toFixed(0)} req/s answered, ${flat.cpuUs.toFixed(0)} us CPU per request`);
    // The issue's own measure: GETs, whose paths the driver fills in for each arrival from a template.
    const acGet = await contender('autocannon', server.url, 'GET', closedLoopSec, connections);
    log(`  autocannon GET (closed loop, ${connections} connections): ${acGet.rps.toFixed(0)} req/s, ${acGet.cpuUs.toFixed(0)} us CPU per request`);
    const undiciGet = await contender('undici', server.url, 'GET', closedLoopSec, connections);
    log(`  bare undici GET (closed loop, ${connections} connections): ${undiciGet.rps.toFixed(0)} req/s, ${undiciGet.cpuUs.toFixed(0)} us CPU per request`);
    const getRate = Math.round(acGet.rps * 1.25);
    const flatGet = await contender('driver', server.url, 'GET', trialSec, connections, getRate);
    log(`  driver GET flat out (arrivals at ${getRate}/s, ${flatGet.droppedPct.toFixed(0)}% dropped): ${flatGet.rps.toFixed(0)} req/s answered, ${flatGet.cpuUs.toFixed(0)} us CPU per request`);
    const get = { autocannonRps: acGet.rps, autocannonCpuUs: acGet.cpuUs, undiciRps: undiciGet.rps, undiciCpuUs: undiciGet.cpuUs, driverCapacityRps: flatGet.rps, driverCpuUs: flatGet.cpuUs };
    const wrk = await wrkRps(server.url, connections, closedLoopSec);
    log(`  wrk -t1 (closed loop, ${connections} connections): ${wrk === undefined ? 'not available' : `${wrk.toFixed(0)} req/s`}`);
    const base = { connections, autocannonRps: ac.rps, autocannonCpuUs: ac.cpuUs, undiciRps: undici.rps, undiciCpuUs: undici.cpuUs, wrkRps: wrk, driverCapacityRps: flat.rps, driverCpuUs: flat.cpuUs, get };
    if (opts.skipHeld) return { ...base, driverHeldRps: 0, trials: [] };
    await driverTrial(server.url, 2000, opts.inFlightLimit ?? DEFAULT_IN_FLIGHT_LIMIT, 1); // the JIT of this process's driver, not judged
    const { max, trials } = await driverMaxRps(server.url, ac.rps * 0.9, opts.inFlightLimit ?? DEFAULT_IN_FLIGHT_LIMIT, trialSec, opts.heldTrials ?? 5, log);
    return { ...base, driverHeldRps: max, trials };
  } finally {
    server.stop();
  }
}
