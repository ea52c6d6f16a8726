// Profiles the load driver alone: a flat item-PUT load against the trivial server (a child process),
// so the CPU profile of this process is the driver's. Run it under --cpu-prof and summarise the
// profile with bench/cpu-profile-top.ts:
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile-driver.ts --rate 10000 --seconds 10
//   node --import tsx bench/cpu-profile-top.ts /tmp/prof/*.cpuprofile
// --in-flight 100 with a rate above what the server answers profiles the driver flat out (the bench's driver row).
import { parseArgs } from 'node:util';
import { runLoad } from '../harness/load/driver.ts';
import { flatSchedule, startTrivialServer } from './trivial-target.ts';

const { values } = parseArgs({ options: { rate: { type: 'string', default: '10000' }, seconds: { type: 'string', default: '10' }, 'in-flight': { type: 'string' } } });
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const server = await startTrivialServer();
try {
  const result = await runLoad({ targetUrl: server.url, schedule: flatSchedule(rate, seconds), runId: 'prof', timeoutMs: 5000, ...(values['in-flight'] ? { inFlightLimit: Number(values['in-flight']) } : {}) });
  const sent = result.seconds.map((s) => s.sent);
  console.log(`driver @ ${rate}/s for ${seconds} s: sent ${result.requests} of ${result.scheduled} (dropped ${result.dropped}), per second ${JSON.stringify(sent)}, send lag p99 ${result.sendLagMs.p99} ms`);
} finally {
  server.stop();
}
