// One contender of the driver bench's flat-out rows, alone in a fresh process (driver-bench.ts starts
// it). In one long-lived process the contenders skew each other: V8 specialises Node's stream and
// socket code for whichever client ran first, and autocannon's GETs after its own PUTs cost 42 us a
// request there against 23 us fresh, which once made the driver look 1.17x as fast as autocannon. A
// user compares two fresh processes, so the bench does too.
// Usage: node --import tsx bench/flat-out-contender.ts autocannon|undici|driver URL PUT|GET SECONDS CONNECTIONS [RATE]
// Prints one JSON line: { rps, cpuUs, droppedPct } (the driver's arrivals at RATE per second).
import { autocannonRps, bareUndiciRps, driverTrial, type Method } from './driver-bench.ts';

const [kind, url, method, seconds, connections, rate] = process.argv.slice(2);
if ((kind !== 'autocannon' && kind !== 'undici' && kind !== 'driver') || !url || (method !== 'PUT' && method !== 'GET')) {
  console.error('usage: flat-out-contender.ts autocannon|undici|driver URL PUT|GET SECONDS CONNECTIONS [RATE]');
  process.exit(2);
}
const sec = Number(seconds);
const n = Number(connections);
if (kind !== 'driver') {
  const closedLoop = kind === 'autocannon' ? autocannonRps : bareUndiciRps;
  await closedLoop(url, n, 1, method as Method); // JIT, not judged
  const r = await closedLoop(url, n, sec, method as Method);
  console.log(JSON.stringify({ rps: r.rps, cpuUs: r.cpuUs, droppedPct: 0 }));
} else {
  await driverTrial(url, 2000, n, 1, method as Method); // JIT, not judged
  const t = await driverTrial(url, Number(rate), n, sec, method as Method);
  console.log(JSON.stringify({ rps: t.answeredRps, cpuUs: t.cpuUsPerRequest, droppedPct: t.droppedPct }));
}
// undici's keep-alive sockets and autocannon's timers would hold the process open a few seconds more.
process.exit(0);
