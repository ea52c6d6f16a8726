// CPU time per answered request, driver vs bare autocannon, in this one process against the same
// trivial server (a child process), interleaved rounds, medians. CPU time (process.cpuUsage) moves far
// less with a busy machine than wall rates do, so this is the number to compare code changes by.
//   node --import tsx bench/cpu-per-request.ts [--rounds 5] [--seconds 3] [--connections 100] [--rate R]
// Without --rate: autocannon flat out, the driver flat out (arrivals at 1.25x autocannon's rate, in-flight
// limit = connections), as the bench's driver row. With --rate: both at R requests/s (autocannon's
// overallRate), so CPU per request compares like with like whatever the machine lets the server answer.
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { runLoad } from '../harness/load/driver.ts';
import { makeCall } from '../scenarios/payloads.ts';
import { flatSchedule, startTrivialServer } from './trivial-target.ts';
import { bareUndiciRps } from './driver-bench.ts';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '5' }, seconds: { type: 'string', default: '3' }, connections: { type: 'string', default: '100' }, rate: { type: 'string' } },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const fixedRate = values.rate === undefined ? undefined : Number(values.rate);
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const call = makeCall(flatSchedule(1, 1), 0, 'bench');
async function autocannonRound(url: string): Promise<{ rps: number; us: number }> {
  const cpu0 = process.cpuUsage();
  const r = await autocannon({
    url: url + call.path, connections, duration: seconds, method: 'PUT', ...(fixedRate ? { overallRate: fixedRate } : {}),
    headers: { 'content-type': 'application/json', 'x-request-id': call.requestId }, body: call.body,
  });
  const cpu = process.cpuUsage(cpu0);
  return { rps: r['2xx'] / r.duration, us: (cpu.user + cpu.system) / Math.max(1, r['2xx']) };
}

async function driverRound(url: string, rate: number): Promise<{ rps: number; us: number; dropped: number }> {
  const cpu0 = process.cpuUsage();
  const r = await runLoad({ targetUrl: url, schedule: flatSchedule(rate, seconds), runId: 'bench', inFlightLimit: connections, timeoutMs: 5000 });
  const cpu = process.cpuUsage(cpu0);
  return { rps: r.completed / r.durationSec, us: (cpu.user + cpu.system) / Math.max(1, r.completed), dropped: r.dropped / Math.max(1, r.scheduled) };
}

const server = await startTrivialServer();
try {
  await autocannonRound(server.url); // warm the server
  await driverRound(server.url, 2000); // warm the driver
  const ac: number[] = [];
  const dr: number[] = [];
  const ratio: number[] = [];
  const bare: number[] = [];
  console.log(`load average ${loadavg()}`);
  for (let i = 0; i < rounds; i++) {
    const a = await autocannonRound(server.url);
    const d = await driverRound(server.url, fixedRate ?? Math.round(a.rps * 1.25));
    const u = await bareUndiciRps(server.url, connections, seconds);
    bare.push(u.cpuUs);
    ac.push(a.us);
    dr.push(d.us);
    ratio.push(d.rps / a.rps);
    console.log(`round ${i + 1}: autocannon ${a.rps.toFixed(0)}/s ${a.us.toFixed(1)} us/req; driver ${d.rps.toFixed(0)}/s ${d.us.toFixed(1)} us/req (dropped ${(100 * d.dropped).toFixed(0)}%); bare undici ${u.rps.toFixed(0)}/s ${u.cpuUs.toFixed(1)} us/req; load ${loadavg()}`);
  }
  console.log(`median: autocannon ${median(ac).toFixed(1)} us/req, bare undici ${median(bare).toFixed(1)} us/req, driver ${median(dr).toFixed(1)} us/req, driver/autocannon CPU ${(median(dr) / median(ac)).toFixed(2)}, answered-rate ratio ${median(ratio).toFixed(2)} (n=${rounds})`);
} finally {
  server.stop();
}
