// rushgate as a user gets it: built and packed with `npm pack`, installed into an empty project with
// `npm install --omit=dev --omit=optional` (so without canvas: charts fall back to SVG), then used
// through its bin and its programmatic API, with plain node and no TypeScript sources in the package.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../harness/paths.ts';
import { suiteBuild } from '../helpers/suite-build/compiled.ts';

const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const project = mkdtempSync(join(tmpdir(), 'rushgate-consumer-'));
const installed = join(project, 'node_modules', 'rushgate');
const timings: Record<string, number> = {};

function timed<T>(what: string, f: () => T): T {
  const started = Date.now();
  try {
    return f();
  } finally {
    timings[what] = Date.now() - started;
  }
}

const npx = (args: string[], timeoutMs = 60_000) =>
  spawnSync('npx', ['--no-install', 'rushgate', ...args], { cwd: project, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, CI: '', GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '' } });

beforeAll(async () => {
  // The consumer has its own version, which `rushgate --version` must not print.
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '9.9.9', private: true, type: 'module' }));
  // What prepack does (tsc with tsconfig.build.json into dist/), then the pack itself, scripts off since
  // dist/ is fresh. In the suite the sources are already compiled that way, declarations included
  // (suite-build/global-setup.ts): dist/ is that build, which saves a second compile (~30 CPU-s on a
  // CPU-bound tier). Alone, the file compiles incrementally (`npm run build` would empty dist/ first).
  const built = await suiteBuild(180_000);
  if (built) {
    timed('dist/ from the suite build', () => {
      rmSync(join(REPO_ROOT, 'dist'), { recursive: true, force: true });
      cpSync(built, join(REPO_ROOT, 'dist'), { recursive: true });
    });
  } else {
    timed('tsc build (incremental)', () => execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 240_000 }));
  }
  const tarball = timed('npm pack', () =>
    execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', project], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 }).trim().split('\n').pop()!,
  );
  timed('npm install --omit=dev', () =>
    execFileSync('npm', ['install', '--omit=dev', '--omit=optional', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', join(project, tarball)], {
      cwd: project,
      encoding: 'utf8',
      timeout: 300_000,
    }),
  );
}, 600_000);

afterAll(() => {
  process.stderr.write(`package test timings (ms): ${JSON.stringify(timings)}\n`);
  rmSync(project, { recursive: true, force: true });
});

describe('the packed package, installed into an empty project', () => {
  it('ships compiled JavaScript and what runs, not sources or tests', () => {
    const files = execFileSync('find', ['.', '-type', 'f'], { cwd: installed, encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(files.filter((f) => f.startsWith('./test/') || f.includes('.test.'))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files).toContain('./dist/harness/cli.js');
    expect(files).toContain('./dist/harness/api.d.ts');
    expect(existsSync(join(project, 'node_modules', 'canvas'))).toBe(false);
  });

  it('prints its own version, not the consumer project\'s', () => {
    const r = timed('npx rushgate --version', () => npx(['--version']));
    expect(r.stdout.trim()).toBe(version);
    expect(r.status).toBe(0);
  });

  it('re-gates a saved run with npx rushgate gate, writing the reports with SVG charts', () => {
    const saved = join(project, 'saved.json');
    cpSync(join(REPO_ROOT, 'test/fixtures/runs/leaky-step-ladder.results.json'), saved);
    const r = timed('npx rushgate gate', () => npx(['gate', saved, '--json', '--out', 'gate-report']));
    expect(r.status, r.stderr).toBe(1);
    const verdict = JSON.parse(r.stdout) as { passed: boolean; rules: Array<{ name: string; passed: boolean }> };
    expect(verdict.passed).toBe(false);
    expect(verdict.rules.find((x) => x.name === 'connections.ceiling')?.passed).toBe(false);
    expect(readdirSync(join(project, 'gate-report')).sort()).toEqual(['junit.xml', 'report.html', 'results.json', 'summary.md']);
    const html = readFileSync(join(project, 'gate-report', 'report.html'), 'utf8');
    expect(html.match(/<svg /g)?.length).toBe(5);
  });

  it('loads a user TypeScript scenario that imports defineScenario from rushgate', () => {
    writeFileSync(
      join(project, 'burst.ts'),
      `import { defineScenario, type ScenarioSpec } from 'rushgate';
const spec: ScenarioSpec = {
  name: 'consumer-burst', description: 'from the consumer', clockStart: '07:30', defaultDurationSec: 6, peakRps: 30, seed: 1,
  mix: { 'item-put': { weight: 1 } },
  phases: [{ kind: 'ramp', name: 'push', minutes: 10, fromRps: 10, toRps: 30 }],
};
export default defineScenario(spec);
`,
    );
    const r = npx(['k6', 'export', '--scenario', './burst.ts']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('consumer-burst');
  });

  it("runs a scenario through the programmatic API (import { run } from 'rushgate') against the local stack", () => {
    writeFileSync(
      join(project, 'gate.mjs'),
      `import { run, judge, writeReports } from 'rushgate';
const record = await run({ scenario: 'step-ladder', publisher: 'shared', stack: 'local', units: 1, durationSec: 5, peakRps: 30, cooldownSec: 2 });
const files = await writeReports(record, 'api-report', { githubStepSummary: false });
const rule = (name) => record.verdict.rules.find((r) => r.name === name);
console.log(JSON.stringify({ ceiling: rule('connections.ceiling')?.passed, failed: record.verdict.rules.filter((r) => !r.passed).map((r) => r.name + ': ' + r.message), rejudged: judge(record, ['latency.p99<1ms']).passed, files: files.length, requests: record.summary.requests }));
`,
    );
    // A TMPDIR of its own: what the run puts there (the broker's dir, the logs' dir) must all be gone after.
    const ownTmp = join(project, 'tmp');
    mkdirSync(ownTmp);
    const r = timed('programmatic run', () => spawnSync(process.execPath, ['gate.mjs'], { cwd: project, encoding: 'utf8', timeout: 150_000, env: { ...process.env, TMPDIR: ownTmp } }));
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(ownTmp)).toEqual([]);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { ceiling: boolean; failed: string[]; rejudged: boolean; files: number; requests: number };
    // A 5-second run is judged like any other (short runs may be called not shown bounded); the shared
    // publisher must stay under the connection ceiling, and re-judging with an impossible limit must fail.
    expect(out, out.failed.join('\n')).toMatchObject({ ceiling: true, rejudged: false, files: 4 });
    expect(out.failed.filter((f) => f.startsWith('connections.ceiling') || f.startsWith('channels.'))).toEqual([]);
    expect(out.requests).toBeGreaterThan(50);
  }, 180_000);
});
