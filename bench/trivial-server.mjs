// The one trivial server every contender in the driver bench hits: reads the body, answers 200 JSON.
// Plain JS so the child starts without a TypeScript loader. Prints its port on stdout. It keeps the
// arrival time of each request (epoch ms, in a growable typed array) so the arrival-accuracy bench can
// count what reached it in each wall second; asked over IPC with { counts: { fromEpochMs, seconds } }, it
// answers with the counts and its own event-loop stalls since then.
import http from 'node:http';

let arrivals = new Float64Array(1 << 16);
let n = 0;
const server = http.createServer((req, res) => {
  if (n === arrivals.length) {
    const grown = new Float64Array(arrivals.length * 2);
    grown.set(arrivals);
    arrivals = grown;
  }
  arrivals[n++] = Date.now();
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '11' });
    res.end('{"ok":true}');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
// Its own event-loop stalls (>= 20 ms, epoch ms of their start and their length): an arrival counted
// late may have waited here rather than in the driver.
const STALL_MS = 20;
let stalls = [];
let lastTick = Date.now();
setInterval(() => {
  const now = Date.now();
  if (now - lastTick >= STALL_MS + 5 && stalls.length < 10_000) stalls.push([lastTick, now - lastTick]);
  lastTick = now;
}, 5).unref();
process.on('message', (m) => {
  if (!m || !m.counts) return;
  const { fromEpochMs, seconds } = m.counts;
  const counts = new Array(seconds).fill(0);
  for (let i = 0; i < n; i++) {
    const t = Math.floor((arrivals[i] - fromEpochMs) / 1000);
    if (t >= 0 && t < seconds) counts[t]++;
  }
  n = 0; // each question closes a measurement
  process.send({ counts, stalls: stalls.filter(([at]) => at >= fromEpochMs).map(([at, ms]) => [(at - fromEpochMs) / 1000, ms]) });
  stalls = [];
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('disconnect', () => process.exit(0));
