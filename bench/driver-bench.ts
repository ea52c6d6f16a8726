// Benchmark (not a test): the open-model driver against bare autocannon and wrk, one trivial local
// server, the same request (an item PUT with a ~120 B JSON body). autocannon and wrk run closed-loop
// flat out on N connections; their rate is responses per second. The driver is measured twice:
//   capacity  - overdriven (arrivals at 3x autocannon's rate) on the same N connections: how fast its
//               machinery sends and reads, the like-for-like comparison with the closed-loop tools;
//   held rate - the highest arrival rate it holds with its default in-flight limit: <= 1% dropped and
//               >= 98% of the scheduled rate answered over the seconds after the first. An open model
//               cannot slow down when the machine stalls, so this is the stricter number.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { DEFAULT_IN_FLIGHT_LIMIT, runLoad, type LoadResult } from '../harness/load/driver.ts';
import { makeCall } from '../scenarios/payloads.ts';
import { flatSchedule, startTrivialServer } from './trivial-target.ts';

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
  /** Skip the search for the highest held rate (the arrival-accuracy bench measures holding instead). */
  skipHeld?: boolean;
}

export interface DriverTrial {
  rate: number;
  held: boolean;
  answeredRps: number;
  droppedPct: number;
  lagP99Ms: number;
}

export interface BenchResult {
  connections: number;
  autocannonRps: number;
  wrkRps: number | undefined;
  /** Responses/s when overdriven on `connections` connections. */
  driverCapacityRps: number;
  /** Highest arrival rate held (open model, default in-flight limit). */
  driverHeldRps: number;
  trials: DriverTrial[];
}

/** The request the closed-loop contenders repeat: the driver's own first call, frozen. */
function sampleRequest() {
  return { call: makeCall(flatSchedule(1, 1), 0, 'bench') };
}

async function autocannonRps(url: string, connections: number, seconds: number): Promise<number> {
  const { call } = sampleRequest();
  const result = await autocannon({
    url: url + call.path,
    connections,
    duration: seconds,
    method: 'PUT',
    headers: { 'content-type': 'application/json', 'x-request-id': call.requestId },
    body: call.body,
  });
  return result['2xx'] / result.duration;
}

async function wrkRps(url: string, connections: number, seconds: number): Promise<number | undefined> {
  const { call } = sampleRequest();
  const dir = mkdtempSync(join(tmpdir(), 'rushgate-bench-'));
  try {
    const script = join(dir, 'put.lua');
    writeFileSync(
      script,
      `wrk.method = "PUT"\nwrk.path = "${call.path}"\nwrk.body = '${call.body}'\n` +
        `wrk.headers["Content-Type"] = "application/json"\nwrk.headers["X-Request-Id"] = "${call.requestId}"\n`,
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

export function judgeTrial(rate: number, result: LoadResult): DriverTrial {
  const judged = result.seconds.filter((s) => s.t >= 1 && s.phase !== 'drain');
  const scheduled = judged.reduce((n, s) => n + s.scheduled, 0);
  const answered = judged.reduce((n, s) => n + s.completed, 0);
  const dropped = judged.reduce((n, s) => n + s.dropped, 0);
  const droppedPct = scheduled > 0 ? (100 * dropped) / scheduled : 0;
  const held = scheduled > 0 && droppedPct <= 1 && answered >= 0.98 * scheduled;
  return { rate, held, answeredRps: judged.length > 0 ? answered / judged.length : 0, droppedPct, lagP99Ms: result.sendLagMs.p99 };
}

async function driverTrial(url: string, rate: number, inFlightLimit: number, seconds: number): Promise<DriverTrial> {
  const result = await runLoad({ targetUrl: url, schedule: flatSchedule(rate, seconds), runId: 'bench', inFlightLimit, timeoutMs: 5000 });
  return judgeTrial(rate, result);
}

/**
 * Geometric steps from a guess (up while the rate holds, down while it misses) until the outcome flips,
 * then two bisections between the highest hold and the lowest miss.
 */
async function driverMaxRps(url: string, guess: number, inFlightLimit: number, seconds: number, log: (l: string) => void) {
  const trials: DriverTrial[] = [];
  const held = async (rate: number) => {
    const trial = await driverTrial(url, Math.round(rate), inFlightLimit, seconds);
    trials.push(trial);
    log(`  driver @ ${trial.rate} req/s: ${trial.held ? 'held' : 'missed'} (answered ${trial.answeredRps.toFixed(0)}/s, dropped ${trial.droppedPct.toFixed(1)}%, send lag p99 ${trial.lagP99Ms} ms)`);
    return trial.held;
  };
  let lo = 0;
  let hi = Number.POSITIVE_INFINITY;
  let rate = guess * 0.8;
  for (let i = 0; i < 8 && (lo === 0 || hi === Number.POSITIVE_INFINITY); i++) {
    if (await held(rate)) {
      lo = rate;
      rate *= 1.12;
    } else {
      hi = rate;
      rate /= 1.25;
    }
  }
  for (let i = 0; i < 2 && lo > 0 && hi < Number.POSITIVE_INFINITY; i++) {
    const mid = (lo + hi) / 2;
    if (await held(mid)) lo = mid;
    else hi = mid;
  }
  return { max: Math.round(lo), trials };
}

export async function runDriverBench(opts: BenchOptions = {}): Promise<BenchResult> {
  const connections = opts.connections ?? 100;
  const closedLoopSec = opts.closedLoopSec ?? 5;
  const trialSec = opts.trialSec ?? 4;
  const log = opts.log ?? ((l: string) => console.log(l));
  const server = await startTrivialServer();
  try {
    await autocannonRps(server.url, connections, 1); // warm the server's JIT before anything is measured
    const ac = await autocannonRps(server.url, connections, closedLoopSec);
    log(`  autocannon (closed loop, ${connections} connections): ${ac.toFixed(0)} req/s`);
    const wrk = await wrkRps(server.url, connections, closedLoopSec);
    log(`  wrk -t1 (closed loop, ${connections} connections): ${wrk === undefined ? 'not available' : `${wrk.toFixed(0)} req/s`}`);
    await driverTrial(server.url, Math.round(ac * 0.3), opts.inFlightLimit ?? DEFAULT_IN_FLIGHT_LIMIT, 2); // JIT warm-up, not judged
    const capacity = await driverTrial(server.url, Math.round(ac * 3), connections, trialSec);
    log(`  driver overdriven at ${capacity.rate} req/s on ${connections} connections: ${capacity.answeredRps.toFixed(0)} req/s answered`);
    if (opts.skipHeld) return { connections, autocannonRps: ac, wrkRps: wrk, driverCapacityRps: capacity.answeredRps, driverHeldRps: 0, trials: [] };
    const { max, trials } = await driverMaxRps(server.url, ac, opts.inFlightLimit ?? DEFAULT_IN_FLIGHT_LIMIT, trialSec, log);
    return { connections, autocannonRps: ac, wrkRps: wrk, driverCapacityRps: capacity.answeredRps, driverHeldRps: max, trials };
  } finally {
    server.stop();
  }
}
