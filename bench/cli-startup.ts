// `npm run bench:startup`: how long `rushgate --version` takes from the built package (plain node on
// dist/, what an installed rushgate runs), against the 300 ms budget; the checkout's tsx path beside it.
// Builds dist/ first when it is missing (or with --build). Prints medians of --runs N (default 15).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../harness/paths.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' }, build: { type: 'boolean', default: false } } });
const runs = Math.max(3, Number(values.runs));
const BUDGET_MS = 300;
const compiled = join(REPO_ROOT, 'dist', 'harness', 'cli.js');
if (values.build || !existsSync(compiled)) {
  console.log('building dist/ (npm run build)');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
}

function medianMs(args: string[]): { median: number; min: number; output: string } {
  const times: number[] = [];
  let output = '';
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    output = r.stdout.trim();
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, min: times[0]!, output };
}

const bare = medianMs(['-e', '0']);
const version = medianMs([compiled, '--version']);
const gateHelp = medianMs([compiled, 'gate', '--help']);
const checkout = medianMs([join(REPO_ROOT, 'bin', 'rushgate.js'), '--version']);
console.log(`node -e 0 (process start)               median ${bare.median.toFixed(0)} ms  min ${bare.min.toFixed(0)} ms`);
console.log(`rushgate --version (dist, plain node)   median ${version.median.toFixed(0)} ms  min ${version.min.toFixed(0)} ms  -> ${version.output}`);
console.log(`rushgate gate --help (dist)             median ${gateHelp.median.toFixed(0)} ms  min ${gateHelp.min.toFixed(0)} ms`);
console.log(`rushgate --version (checkout, tsx)      median ${checkout.median.toFixed(0)} ms  min ${checkout.min.toFixed(0)} ms`);
const ok = version.median < BUDGET_MS;
console.log(`${ok ? 'ok' : 'over budget'}: --version from the package ${version.median.toFixed(0)} ms (budget ${BUDGET_MS} ms, ${runs} runs)`);
process.exitCode = ok ? 0 : 1;
