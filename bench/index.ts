// `npm run bench`: the load driver's max rate next to bare autocannon and wrk on this machine.
// A benchmark, not a test: numbers vary run to run (+-25% on a shared 2-core box), so it prints them
// and the ratios, and runs several rounds when asked (--rounds N) to report medians.
// A second section measures what the chaos proxy adds to a round trip (bench/proxy-bench.ts):
// `--section driver|proxy|all` (default all); `--amqp` adds the proxy's cost over real AMQP (starts a broker).
// Other benchmarks live beside it and run on their own (bench/verify-memory.ts).
import { parseArgs } from 'node:util';
import { runDriverBench, type BenchResult } from './driver-bench.ts';
import { AMQP_LINES_TITLE, proxyBenchLines, runAmqpProxyBench, runProxyBench } from './proxy-bench.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '1' },
    connections: { type: 'string', default: '100' },
    'in-flight': { type: 'string', default: '1000' },
    'trial-sec': { type: 'string', default: '4' },
    section: { type: 'string', default: 'all' },
    amqp: { type: 'boolean', default: false },
  },
});
if (!['driver', 'proxy', 'all'].includes(values.section)) {
  console.error(`--section must be driver, proxy or all (got ${values.section})`);
  process.exit(2);
}
const rounds = Math.max(1, Number(values.rounds));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

if (values.section !== 'proxy') {
  const results: BenchResult[] = [];
  for (let round = 1; round <= rounds; round++) {
    console.log(`round ${round}/${rounds}`);
    results.push(
      await runDriverBench({ connections: Number(values.connections), inFlightLimit: Number(values['in-flight']), trialSec: Number(values['trial-sec']) }),
    );
  }

  const ac = median(results.map((r) => r.autocannonRps));
  const wrkRuns = results.map((r) => r.wrkRps).filter((x): x is number => x !== undefined);
  const wrk = wrkRuns.length > 0 ? median(wrkRuns) : undefined;
  const capacity = median(results.map((r) => r.driverCapacityRps));
  const held = median(results.map((r) => r.driverHeldRps));
  const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(0)}%`;

  console.log(`\nmax rate on this machine (median of ${rounds} round${rounds === 1 ? '' : 's'}; ${values.connections} connections):`);
  console.log(`  wrk -t1                    ${wrk === undefined ? 'n/a' : `${wrk.toFixed(0)} req/s`}`);
  console.log(`  autocannon                 ${ac.toFixed(0)} req/s`);
  console.log(`  rushgate driver, capacity  ${capacity.toFixed(0)} req/s (overdriven, same connections)`);
  console.log(`  rushgate driver, held      ${held.toFixed(0)} req/s (open model, in-flight limit ${values['in-flight']}, <= 1% dropped)`);
  console.log(`  capacity / autocannon = ${pct(capacity, ac)} (goal >= 95%)`);
  if (wrk !== undefined) console.log(`  capacity / wrk        = ${pct(capacity, wrk)} (goal >= 85%)`);
  console.log(`  held / autocannon     = ${pct(held, ac)}`);
}

if (values.section !== 'driver') {
  console.log('');
  for (const line of proxyBenchLines(await runProxyBench())) console.log(line);
  if (values.amqp) for (const line of proxyBenchLines(await runAmqpProxyBench(), AMQP_LINES_TITLE)) console.log(line);
}
