// Benchmark (not a test): does the open-model driver put each second's arrivals on the wire in that
// second? A flat rate against the trivial server; the server counts what reached it in each wall
// second since the load's start (same clock: Date.now() on one machine), compared with the schedule.
import { runLoad } from '../harness/load/driver.ts';
import { flatSchedule, type TrivialServer } from './trivial-target.ts';

export interface AccuracyResult {
  rate: number;
  seconds: number;
  /** Seconds whose arrivals at the server were within 2% of scheduled. */
  withinTwoPct: number;
  worst: { t: number; arrived: number; scheduled: number };
  droppedPct: number;
  perSecond: number[];
}

/** Time the driver gets to open connections and compile before its first arrival, as in a run's baseline. */
const WARM_UP_MS = 3_000;

export async function arrivalAccuracy(server: TrivialServer, rate: number, seconds: number): Promise<AccuracyResult> {
  const schedule = flatSchedule(rate, seconds);
  const startAtEpochMs = performance.timeOrigin + performance.now() + WARM_UP_MS;
  const result = await runLoad({ targetUrl: server.url, schedule, runId: `acc${rate}`, timeoutMs: 5000, startAtEpochMs });
  const arrived = await server.arrivalsPerSecond(startAtEpochMs, seconds);
  let within = 0;
  let worst = { t: 0, arrived: arrived[0] ?? 0, scheduled: schedule.second(0).scheduled };
  let worstOff = -1;
  arrived.forEach((n, t) => {
    const scheduled = schedule.second(t).scheduled;
    const off = Math.abs(n - scheduled) / scheduled;
    if (off <= 0.02) within++;
    if (off > worstOff) {
      worstOff = off;
      worst = { t, arrived: n, scheduled };
    }
  });
  return { rate, seconds, withinTwoPct: within, worst, droppedPct: (100 * result.dropped) / Math.max(1, result.scheduled), perSecond: arrived };
}

export function describeAccuracy(a: AccuracyResult): string {
  return (
    `${a.rate}/s: ${a.withinTwoPct}/${a.seconds} s within 2%, worst second ${a.worst.t} (${a.worst.arrived} of ${a.worst.scheduled}), ` +
    `dropped ${a.droppedPct.toFixed(2)}%; arrived per second ${JSON.stringify(a.perSecond)}`
  );
}
