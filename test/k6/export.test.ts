import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { defaultLimits } from '../../harness/gate/limits.ts';
import { exportK6Script, k6Thresholds, k6Timeline, type K6Timeline } from '../../harness/k6/export.ts';
import { REPO_ROOT } from '../../harness/paths.ts';
import { BUILT_IN_SCENARIOS } from '../../scenarios/index.ts';
import { makeCall } from '../../scenarios/payloads.ts';
import { resolveSchedule } from '../../scenarios/schedule.ts';
import { createCallSource } from '../../scenarios/calls/call-source.ts';
import { defineScenario } from '../../scenarios/define-scenario.ts';
import { loadScenario } from '../../scenarios/index.ts';
import { readmeExample } from '../calls/readme-example.ts';

const eu = resolveSchedule(BUILT_IN_SCENARIOS['eu-morning']!);

/** Arrivals k6 would start: the integral of its piecewise-linear stage rates. */
function k6Arrivals(t: K6Timeline): { total: number; durationMs: number } {
  let rate = t.startRate;
  let total = 0;
  let durationMs = 0;
  for (const s of t.stages) {
    const ms = s.duration === '0s' ? 0 : Number(s.duration.replace('ms', ''));
    total += ((rate + s.target) / 2) * (ms / 1000);
    durationMs += ms;
    rate = s.target;
  }
  return { total: t.timeUnit === '1m' ? total / 60 : total, durationMs };
}

/** Type-checks a script against @types/k6; returns the diagnostics as text. */
function typecheck(script: string): string[] {
  const root = join(REPO_ROOT, 'test-artifacts');
  mkdirSync(root, { recursive: true });
  const dir = mkdtempSync(join(root, 'k6-export-'));
  try {
    const file = join(dir, 'script.ts');
    writeFileSync(file, script);
    const program = ts.createProgram([file], {
      // The project's own strictness (tsconfig.json), not a laxer one for generated code.
      strict: true, noUncheckedIndexedAccess: true, noImplicitOverride: true, noFallthroughCasesInSwitch: true, noEmit: true, target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler, types: ['k6'], lib: ['lib.es2020.d.ts'], skipLibCheck: true,
    });
    return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const userScenario = defineScenario({
  name: 'user-k6',
  description: 'user calls for the k6 export',
  clockStart: '07:00',
  defaultDurationSec: 20,
  peakRps: 20,
  seed: 5,
  setup: { method: 'POST', path: '/token', form: { secret: '${env.TOKEN}' } },
  requestIdHeader: 'X-Trace',
  phases: [{ kind: 'constant-rate', name: 'flat', minutes: 20, rps: 20 }],
  chaos: [{ at: '07:03', fault: 'memory-alarm', for: '2s' }],
  calls: {
    product: {
      method: 'PUT',
      path: '/v2/${tenant}/products/${itemId}',
      weight: 3,
      headers: { Authorization: 'Bearer ${setup.access_token}' },
      vars: { tenant: { kind: 'pick', from: ['a', 'b'] }, n: { kind: 'int', min: 1, max: 9 }, p: { kind: 'decimal', min: 1, max: 2, digits: 3 }, s: { kind: 'sequence', start: 10 } },
      body: { id: '${uuid}', n: '${n}', p: '${p}', s: '${s}', store: '${storeId}', label: 'n=${n}' },
      expect: { refused: [409] },
    },
    form: { method: 'POST', path: '/stock?ref=${requestId}', weight: 1, form: { sku: '${itemId}', qty: '${n}' }, vars: { n: { kind: 'int', min: 0, max: 5 } } },
    low: { method: 'POST', path: '/low', weight: 1, body: (rnd) => ({ n: Math.floor(rnd() * 3) }) },
  },
});

interface Sent { method: string; url: string; body: string | null; headers: Record<string, string>; tags: Record<string, string> }

/** Runs an exported script's default function `iterations` times in a VM, with k6's modules stubbed. */
function runScript(script: string, iterations: number, env: Record<string, string>, setupAnswer: object): Sent[] {
  const js = ts.transpileModule(script, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
  const sent: Sent[] = [];
  const execution = { scenario: { iterationInTest: 0 } };
  const http = {
    request: (method: string, url: string, body: string | null, params: { headers: Record<string, string>; tags: Record<string, string> }) => {
      if (params.tags.name === 'setup') return { status: 200, json: () => setupAnswer };
      sent.push({ method, url, body, headers: params.headers, tags: params.tags });
      return { status: 200 };
    },
    setResponseCallback: () => {},
    expectedStatuses: () => ({}),
  };
  const modules: Record<string, unknown> = { 'k6/http': { default: http }, k6: { check: () => true }, 'k6/execution': { default: execution } };
  const mod = { exports: {} as Record<string, unknown> };
  vm.runInNewContext(js, { module: mod, exports: mod.exports, require: (name: string) => modules[name], __ENV: { TARGET_URL: 'http://t:1/', RUN_ID: 'k6run', ...env } });
  const data = (mod.exports.setup as () => object)();
  for (let seq = 0; seq < iterations; seq++) {
    execution.scenario.iterationInTest = seq;
    (mod.exports.default as (d: object) => void)(data);
  }
  return sent;
}

describe('k6Timeline', () => {
  it('turns eu-morning into ramping-arrival-rate stages with instant jumps at the peaks', () => {
    const timeline = k6Timeline(eu);
    expect(timeline.notes.slice(0, 3)).toEqual(['night (constant-rate) from 05:30', 'opening-ramp (ramp) from 06:00', 'jump into peak-1']);
    expect({ ...timeline, notes: undefined }).toEqual({
      notes: undefined,
      timeUnit: '1s',
      startRate: 6,
      stages: [
        { target: 6, duration: '5000ms' },
        { target: 110, duration: '17500ms' },
        { target: 200, duration: '0s' },
        { target: 200, duration: '4167ms' },
        { target: 60, duration: '8333ms' },
        { target: 60, duration: '5000ms' },
        { target: 170, duration: '0s' },
        { target: 170, duration: '1667ms' },
        { target: 60, duration: '0s' },
        { target: 20, duration: '3333ms' },
      ],
    });
  });

  it.each(Object.keys(BUILT_IN_SCENARIOS))('%s: stages last as long and start as many arrivals as the schedule', (name) => {
    for (const opts of [{}, { durationSec: 97, peakRps: 333 }, { peakRps: 2.5 }]) {
      const schedule = resolveSchedule(BUILT_IN_SCENARIOS[name]!, opts);
      const { total, durationMs } = k6Arrivals(k6Timeline(schedule));
      expect(durationMs).toBe(Math.round(schedule.wallDurationSec * 1000));
      expect(Math.abs(total - schedule.total), `${name} ${JSON.stringify(opts)}`).toBeLessThanOrEqual(Math.max(1, schedule.total * 0.002));
    }
  });

  it('switches to per-minute targets when a rate is fractional', () => {
    const t = k6Timeline(resolveSchedule(BUILT_IN_SCENARIOS['eu-morning']!, { peakRps: 250 }));
    expect(t.timeUnit).toBe('1m');
    expect(t.startRate).toBe(450); // 7.5 req/s
  });
});

describe('k6Thresholds', () => {
  it('mirrors the gate limits for errors, latency and dropped arrivals', () => {
    expect(k6Thresholds(defaultLimits, 3678)).toEqual({
      http_req_failed: ['rate<0.01'],
      http_req_duration: ['p(99)<1000'],
      dropped_iterations: ['count<36'],
    });
    expect(k6Thresholds({ ...defaultLimits, 'latency.p99': null }, 100)).not.toHaveProperty('http_req_duration');
  });
});

describe('exportK6Script', () => {
  it('type-checks against @types/k6, and the check itself catches a broken script', () => {
    const script = exportK6Script(BUILT_IN_SCENARIOS['eu-morning']!);
    expect(typecheck(script)).toEqual([]);
    const broken = script.replace("executor: 'ramping-arrival-rate'", "executor: 'ramping-arrival-rates'").replace('"executor": "ramping-arrival-rate"', '"executor": "ramping-arrival-rates"');
    expect(broken).not.toBe(script);
    expect(typecheck(broken).length).toBeGreaterThan(0);
  }, 60_000);

  it("exports a user scenario's calls: it type-checks, names its faults and body functions, tags requests by call name", async () => {
    const readme = resolveSchedule(await loadScenario(readmeExample().file));
    expect(typecheck(exportK6Script(readme))).toEqual([]);
    const script = exportK6Script(resolveSchedule(userScenario));
    expect(typecheck(script)).toEqual([]);
    expect(script).toContain('k6 v0.57 or later runs .ts');
    expect(script).toMatch(/fault memory-alarm at 07:03 .*not carried/);
    expect(script).toMatch(/call low: its body function cannot run in k6/);
    expect(script).toContain('rushgate watch --prometheus-url');
  }, 60_000);

  it("sends, per iteration, the same request rushgate sends for a user scenario's seq, with one name tag per call", () => {
    const schedule = resolveSchedule(userScenario);
    const sent = runScript(exportK6Script(schedule), 300, { TOKEN: 'tok-1' }, { access_token: 'abc' });
    const source = createCallSource(schedule, { runId: 'k6run', env: { TOKEN: 'tok-1' }, setup: { access_token: 'abc' } });
    for (let seq = 0; seq < 300; seq++) {
      const call = source.make(seq);
      const got = sent[seq]!;
      expect(got.tags.name).toBe(call.name);
      expect({ method: got.method, url: got.url }).toEqual({ method: call.method, url: `http://t:1${call.path}` });
      // The body function's call is the one thing k6 does not reproduce (the script says so).
      if (call.name !== 'low') expect({ headers: got.headers, body: got.body }).toEqual({ headers: call.headers, body: call.body });
    }
    expect(new Set(sent.map((s) => s.tags.name)).size).toBe(schedule.calls.length);
    expect(new Set(sent.map((s) => s.url)).size).toBeGreaterThan(schedule.calls.length);
  });

  it('sends, per iteration, the same call rushgate sends for that seq', () => {
    const js = ts.transpileModule(exportK6Script(eu), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
    const sent: Array<{ method: string; url: string; body: string; id: string }> = [];
    const execution = { scenario: { iterationInTest: 0 } };
    const record = (method: string) => (url: string, body: string, params: { headers: Record<string, string> }) => {
      sent.push({ method, url, body, id: params.headers['X-Request-Id']! });
      return { status: 200 };
    };
    const modules: Record<string, unknown> = {
      'k6/http': { default: { put: record('PUT'), post: record('POST'), setResponseCallback: () => {}, expectedStatuses: () => ({}) } },
      k6: { check: () => true },
      'k6/execution': { default: execution },
    };
    const mod = { exports: {} as Record<string, unknown> };
    vm.runInNewContext(js, { module: mod, exports: mod.exports, require: (name: string) => modules[name], __ENV: { TARGET_URL: 'http://t:1/', RUN_ID: 'k6run' } });
    const iteration = mod.exports.default as () => void;
    for (let seq = 0; seq < 300; seq++) {
      execution.scenario.iterationInTest = seq;
      iteration();
      const call = makeCall(eu, seq, 'k6run');
      expect(sent[seq]).toEqual({ method: call.method, url: `http://t:1${call.path}`, body: call.body, id: call.requestId });
    }
    expect(new Set(sent.map((s) => s.url.split('/').at(-1))).size).toBeGreaterThan(2);
    expect((mod.exports.options as { scenarios: Record<string, { maxVUs: number }> }).scenarios['eu-morning']!.maxVUs).toBe(1000);
  });
});
