// Benchmark (not a test): does the open-model driver put each second's arrivals on the wire in that
// second? A flat rate against the trivial server. Arrivals are counted by the SERVER, by the wall second
// in which each request reached it (Date.now() there, against the load's start on the same machine's
// clock), and compared with the schedule. That is the rate the target saw: an arrival the driver sends
// late, after a stall, counts in the second it arrived in, not the one it was scheduled in (the driver's
// own per-second `sent` counts by scheduled second, so it would hide lateness). A stall near a second's
// edge therefore shows as a pair (e.g. 9,281 then 10,718). To say whose stall it was, the driver's event
// loop and GC pauses are watched here, and the server reports its own event-loop stalls.
import { PerformanceObserver } from 'node:perf_hooks';
import { runLoad } from '../harness/load/driver.ts';
import { flatSchedule, type Stall, type TrivialServer } from './trivial-target.ts';

export interface AccuracyResult {
  rate: number;
  seconds: number;
  /** Seconds whose arrivals at the server were within 2% of scheduled. */
  withinTwoPct: number;
  worst: { t: number; arrived: number; scheduled: number };
  droppedPct: number;
  perSecond: number[];
  sendLagP99Ms: number;
  /** Each second off by more than 2%, with the stalls (>= 20 ms) and GC pauses (>= 10 ms) around it. */
  misses: Array<{ t: number; arrived: number; driverStalls: Stall[]; driverGc: Stall[]; serverStalls: Stall[] }>;
}

/** Time the driver gets to open connections and compile before its first arrival, as in a run's baseline. */
const WARM_UP_MS = 3_000;
const STALL_MS = 20;
const GC_MS = 10;

export async function arrivalAccuracy(server: TrivialServer, rate: number, seconds: number): Promise<AccuracyResult> {
  const schedule = flatSchedule(rate, seconds);
  const startAtEpochMs = performance.timeOrigin + performance.now() + WARM_UP_MS;
  const startMs = startAtEpochMs - performance.timeOrigin;
  const watch = watchDriver(startMs);
  const result = await runLoad({ targetUrl: server.url, schedule, runId: `acc${rate}`, timeoutMs: 5000, startAtEpochMs });
  const { stalls: driverStalls, gc: driverGc } = watch.stop();
  const { counts: arrived, stalls: serverStalls } = await server.arrivalsPerSecond(startAtEpochMs, seconds);
  let within = 0;
  let worst = { t: 0, arrived: arrived[0] ?? 0, scheduled: schedule.second(0).scheduled };
  let worstOff = -1;
  const misses: AccuracyResult['misses'] = [];
  // A stall that moves arrivals across an edge starts in the second before the short one ends.
  const near = (list: Stall[], t: number) => list.filter((s) => s.t + s.ms / 1000 >= t - 0.2 && s.t < t + 1);
  arrived.forEach((n, t) => {
    const scheduled = schedule.second(t).scheduled;
    const off = Math.abs(n - scheduled) / scheduled;
    if (off <= 0.02) within++;
    else misses.push({ t, arrived: n, driverStalls: near(driverStalls, t), driverGc: near(driverGc, t), serverStalls: near(serverStalls, t) });
    if (off > worstOff) {
      worstOff = off;
      worst = { t, arrived: n, scheduled };
    }
  });
  return {
    rate,
    seconds,
    withinTwoPct: within,
    worst,
    droppedPct: (100 * result.dropped) / Math.max(1, result.scheduled),
    perSecond: arrived,
    sendLagP99Ms: result.sendLagMs.p99,
    misses,
  };
}

/** The driver process's event-loop stalls and GC pauses, in seconds since the load's start. */
function watchDriver(startMs: number): { stop(): { stalls: Stall[]; gc: Stall[] } } {
  const stalls: Stall[] = [];
  const gc: Stall[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    if (now - last >= STALL_MS + 5 && stalls.length < 10_000) stalls.push({ t: (last - startMs) / 1000, ms: Math.round(now - last) });
    last = now;
  }, 5);
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.duration >= GC_MS && gc.length < 10_000) gc.push({ t: (e.startTime - startMs) / 1000, ms: Math.round(e.duration) });
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop() {
      clearInterval(timer);
      observer.disconnect();
      const mine = (s: Stall) => s.t >= -0.5;
      return { stalls: stalls.filter(mine), gc: gc.filter(mine) };
    },
  };
}

export function describeAccuracy(a: AccuracyResult): string {
  // The longest few of each kind: on a busy machine there are dozens a second.
  const stalls = (label: string, list: Stall[]) => {
    const top = [...list].sort((a, b) => b.ms - a.ms).slice(0, 3).sort((a, b) => a.t - b.t);
    return top.length > 0 ? ` ${label} ${top.map((s) => `${s.t.toFixed(2)}s+${s.ms}ms`).join(' ')}${list.length > 3 ? ` (longest 3 of ${list.length})` : ''}` : '';
  };
  const misses = a.misses.map(
    (m) => `\n    second ${m.t}: ${m.arrived} arrived;${stalls('driver stalls', m.driverStalls)}${stalls('driver GC', m.driverGc)}${stalls('server stalls', m.serverStalls)}` +
      (m.driverStalls.length + m.driverGc.length + m.serverStalls.length === 0 ? ' no stall >= 20 ms seen in either process' : ''),
  );
  return (
    `${a.rate}/s: ${a.withinTwoPct}/${a.seconds} s within 2% (counted by server receive time), worst second ${a.worst.t} (${a.worst.arrived} of ${a.worst.scheduled}), ` +
    `dropped ${a.droppedPct.toFixed(2)}%, send lag p99 ${a.sendLagP99Ms} ms; arrived per second ${JSON.stringify(a.perSecond)}${misses.join('')}`
  );
}
