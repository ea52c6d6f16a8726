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

/** Wall time and CPU time (user + sys, which a busy machine inflates far less) of each run; medians. */
function measure(args: string[]): { median: number; min: number; cpu: number; output: string } {
  const times: number[] = [];
  const cpu: number[] = [];
  let output = '';
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const quoted = [process.execPath, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    const r = spawnSync('bash', ['-c', `TIMEFORMAT='%3U %3S'; time ${quoted}`], { cwd: REPO_ROOT, encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    const [user, sys] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
    cpu.push(((user ?? 0) + (sys ?? 0)) * 1000);
    output = r.stdout.trim();
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { median: med(times), min: Math.min(...times), cpu: med(cpu), output };
}

const line = (label: string, m: ReturnType<typeof measure>) =>
  console.log(`${label.padEnd(40)} median ${m.median.toFixed(0).padStart(5)} ms  min ${m.min.toFixed(0).padStart(5)} ms  cpu ${m.cpu.toFixed(0).padStart(4)} ms${m.output && !m.output.includes('\n') ? `  -> ${m.output}` : ''}`);

const bare = measure(['-e', '0']);
const version = measure([compiled, '--version']);
const gateHelp = measure([compiled, 'gate', '--help']);
const checkout = measure([join(REPO_ROOT, 'bin', 'rushgate.js'), '--version']);
line('node -e 0 (process start)', bare);
line('rushgate --version (dist, plain node)', version);
line('rushgate gate --help (dist)', gateHelp);
line('rushgate --version (checkout, tsx)', checkout);
const ok = version.median < BUDGET_MS;
console.log(`${ok ? 'ok' : 'over budget'}: --version from the package ${version.median.toFixed(0)} ms wall, ${version.cpu.toFixed(0)} ms CPU (budget ${BUDGET_MS} ms, ${runs} runs)`);
process.exitCode = ok ? 0 : 1;
