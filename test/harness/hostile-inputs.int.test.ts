// Hostile and clumsy input, as issue 12 found it: every case is a usage error (exit 2) with a one-line
// message and no stack trace, found before anything starts. Most cases call the validators directly;
// a handful go through the real binary, in parallel, to prove the whole path (nothing here needs a broker).
// An integration file for those spawns: it runs after the suite's build (test/helpers/suite-build), so each
// binary starts as compiled JavaScript instead of compiling the sources through tsx (12 s for the file
// instead of 100 s here, with other work beside it).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateRunArgs, validateRunPlan, validateScenarioLoad } from '../../harness/commands/validate-run-options.ts';
import { exitCodeFor } from '../../harness/errors.ts';
import { resolveLimits } from '../../harness/gate/resolve-limits.ts';
import { parseRunRecord } from '../../harness/report/read-run-record.ts';
import { loadScenario, BUILT_IN_SCENARIOS } from '../../scenarios/index.ts';
import { importScenarioFile } from '../../scenarios/import-scenario-file.ts';
import { resolveSchedule } from '../../scenarios/schedule.ts';
import { makePassingRecord } from '../fixtures/run-records.ts';
import { hasStackTrace, rushgate } from '../cli/spawn-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'rushgate-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const spec = {
  name: 'hostile',
  description: 'a user file',
  clockStart: '06:00',
  defaultDurationSec: 10,
  peakRps: 5,
  seed: 1,
  mix: { 'item-put': { weight: 1 } },
  phases: [{ kind: 'constant-rate', name: 'flat', minutes: 1, rps: 5 }],
};
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

/** Runs `f`, expects a usage error (exit 2) whose message is one line, and returns the message. */
async function usageError(f: () => unknown, opts: { oneLine: boolean } = { oneLine: true }): Promise<string> {
  let err: unknown;
  try {
    await f();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected an error').toBeInstanceOf(Error);
  expect(exitCodeFor(err), `${(err as Error).name}: ${(err as Error).message}`).toBe(2);
  const message = (err as Error).message;
  if (opts.oneLine) expect(message.split('\n')).toHaveLength(1);
  return message;
}

const external = {
  stack: 'external',
  'amqp-url': 'amqp://127.0.0.1:5672',
  'management-url': 'http://127.0.0.1:15672',
  'prometheus-url': 'http://127.0.0.1:15692',
  'target-url': 'http://127.0.0.1:3000',
};

describe('run flags', () => {
  it.each([
    [{ 'in-flight': 0 }, /--in-flight must be a whole number from 1/],
    [{ 'in-flight': -1 }, /--in-flight must be a whole number from 1/],
    [{ 'in-flight': Number.NaN }, /--in-flight .*not a number/],
    [{ 'in-flight': 2.5 }, /--in-flight must be a whole number/],
    [{ 'peak-rps': 1e308 }, /--peak-rps must be a number from .* to 100,000 .*req\/s/],
    [{ 'peak-rps': 0 }, /--peak-rps must be a number from 0.001/],
    [{ 'peak-rps': Number.NaN }, /--peak-rps/],
    [{ duration: '100000h' }, /--duration must be at most 24h .*memory/],
    [{ duration: '-5s' }, /--duration must be more than zero \(got -5s\)/],
    [{ duration: '0' }, /--duration must be more than zero/],
    [{ duration: 'soon' }, /--duration "soon" is not a duration/],
    [{ timeout: '1h' }, /--timeout must be at most 5m/],
    [{ cooldown: '2h' }, /--cooldown must be at most 1h/],
    [{ 'connection-max': Number.NaN }, /--connection-max must be a whole number from 1 to 1,000,000 \(got not a number\)/],
    [{ 'connection-max': 0 }, /--connection-max must be a whole number from 1/],
    [{ units: 0 }, /--units must be a whole number from 1 to 64/],
    [{ units: 65 }, /--units must be a whole number from 1 to 64/],
    [{ scenario: ['spike', 'soak'] }, /--scenario was given 2 times/],
    [{ ...external, 'management-url': 'http://a:b%zz@127.0.0.1:15672' }, /--management-url http:\/\/\*\*\*@127.0.0.1:15672 has a user name or password with a bad %-escape/],
    [{ ...external, 'management-url': 'http://10.1.2.3:15672' }, /Refusing .*management API http:\/\/10.1.2.3:15672/],
    [{ ...external, 'prometheus-url': 'http://prom.example.com:15692' }, /Refusing .*Prometheus endpoint/],
    [{ ...external, 'target-url': 'ftp://127.0.0.1:3000' }, /--target-url must be a http:\/\/ URL/],
    [{ ...external, 'amqp-url': 'not a url' }, /--amqp-url not a url is not a URL/],
  ])('%o', async (args, pattern) => {
    expect(await usageError(() => validateRunArgs({ units: 2, ...args }))).toMatch(pattern);
  });

  it('accepts what is in bounds', () => {
    expect(() => validateRunArgs({ units: 2, 'peak-rps': 100_000, duration: '24h', 'in-flight': 1, 'connection-max': 10, ...external })).not.toThrow();
  });

  it('refuses chaos faults on a stack that cannot inject them, before it starts', async () => {
    const schedule = resolveSchedule(BUILT_IN_SCENARIOS.chaos!, { durationSec: 60 });
    expect(await usageError(() => validateRunPlan(schedule, 'external'))).toMatch(/faults cannot run on the external stack: memory-alarm .* needs erl \(Erlang access to the broker/);
    expect(() => validateRunPlan(schedule, 'local')).not.toThrow();
  });
});

describe('scenarios', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('%s is not a built-in scenario', async (name) => {
    expect(await usageError(() => loadScenario(name))).toMatch(new RegExp(`Scenario "${name}" is not a built-in scenario`));
  });

  it('bounds the load a scenario file asks for, before its schedule is built', async () => {
    const huge = await loadScenario(file('huge-rps.json', JSON.stringify({ ...spec, peakRps: 1e308, phases: [{ kind: 'constant-rate', name: 'flat', minutes: 1, rps: 1e308 }] })));
    expect(await usageError(() => validateScenarioLoad(huge, {}))).toMatch(/would offer .* req\/s at its peak; at most 100,000/);
    expect(await usageError(() => validateScenarioLoad(huge, { peakRps: 10, durationSec: 1e9 }))).toMatch(/runs for 1000000000 s; at most 24h/);
    expect(await usageError(() => loadScenario(file('long.json', JSON.stringify({ ...spec, defaultDurationSec: 1e9 }))))).toMatch(/defaultDurationSec: must be <= 86400/);
  });

  it.each([
    ['a null document', 'null.json', 'null', /has no default export/],
    ['mix: null', 'mixnull.json', JSON.stringify({ ...spec, mix: null }), /mix: must be an object/],
    ['broken JSON', 'broken.json', '{"name":', /could not load the file/],
    ['a file that calls process.exit(0)', 'exit0.mjs', 'process.exit(0);\nexport default {};\n', /ended its process while loading \(process.exit\(0\)\)/],
    ['a top-level await that never settles', 'tla.mts', 'await new Promise(() => {});\nexport default {};\n', /top-level await never settled/],
    ['a file that throws', 'throws.mjs', 'throw new Error("boom\\nwith a second line");\n', /could not load the file: boom with a second line/],
  ])('%s', async (_, name, text, pattern) => {
    expect(await usageError(() => loadScenario(file(name, text)))).toMatch(pattern);
  });

  it('reads rps 1e400 (Infinity) as not a number, among every problem of the file', async () => {
    const text = JSON.stringify({ ...spec, peakRps: 1 }).replace('"peakRps":1', '"peakRps":1e400');
    expect(await usageError(() => loadScenario(file('inf.json', text)), { oneLine: false })).toMatch(/peakRps: must be a number/);
  });

  it('gives up on a file whose loading never ends', async () => {
    const path = file('busy.mjs', 'setInterval(() => {}, 1000);\nawait new Promise(() => {});\nexport default {};\n');
    expect(await usageError(() => importScenarioFile(path, 'busy.mjs', 1_500))).toMatch(/did not finish within 1.5 s/);
  });
});

describe('limits files', () => {
  it.each([
    ['constructor', { constructor: '5s' }],
    ['toString', { toString: '<1' }],
    ['hasOwnProperty', { hasOwnProperty: null }],
    ['__proto__', JSON.parse('{"__proto__": "<1"}') as object],
    ['a rule name with a prototype key', { 'errors.constructor': '<1%' }],
  ])('refuses the key %s', async (_, limits) => {
    const path = file(`limits-${Math.random().toString(36).slice(2)}.json`, JSON.stringify(limits));
    expect(await usageError(() => resolveLimits({ file: path }))).toMatch(/unknown rule/);
  });

  it('refuses a limits file that is not JSON, or holds non-strings', async () => {
    expect(await usageError(() => resolveLimits({ file: file('bad-limits.json', '{') }))).toMatch(/expected a JSON file of limits/);
    expect(await usageError(() => resolveLimits({ file: file('num-limits.json', '[1,2]') }))).toMatch(/must hold only strings/);
  });
});

describe('tampered results.json', () => {
  const good = () => JSON.parse(JSON.stringify(makePassingRecord())) as Record<string, unknown>;
  it.each([
    ['null', null, /found null/],
    ['an array', [], /found an array/],
    ['no schemaVersion', { tool: 'x' }, /no schemaVersion field/],
    ['a future schemaVersion', { ...good(), schemaVersion: 999 }, /schemaVersion is 999/],
    ['a verdict that is a string', { ...good(), verdict: 'passed' }, /not a valid rushgate run record/],
    ['load that is not an array', { ...good(), load: { __proto__: 1 } }, /not a valid rushgate run record/],
  ])('%s', async (_, data, pattern) => {
    let err: unknown;
    try {
      parseRunRecord(data, 'results.json');
    } catch (e) {
      err = e;
    }
    expect(exitCodeFor(err)).toBe(2);
    expect((err as Error).message).toMatch(pattern);
  });
});

// The real binary, for the cases whose whole path matters: exit code, one line on stderr, nothing on stdout.
describe('the rushgate binary', () => {
  let results: Record<string, { code: number | null; stdout: string; stderr: string }>;
  const cases: Record<string, string[]> = {
    'in-flight 0': ['run', '--scenario', 'spike', '--stack', 'local', '--in-flight', '0'],
    'duration -5s': ['run', '--scenario', 'spike', '--duration', '-5s'],
    'connection-max abc': ['run', '--scenario', 'spike', '--connection-max', 'abc'],
    'scenario __proto__': ['run', '--scenario', '__proto__'],
    'bad %-escape in management-url': ['run', '--scenario', 'spike', '--stack', 'external', '--amqp-url', 'amqp://127.0.0.1:1', '--management-url', 'http://a:b%zz@127.0.0.1:1', '--prometheus-url', 'http://127.0.0.1:1', '--target-url', 'http://127.0.0.1:1'],
    'scenario file calling process.exit(0)': ['run', '--scenario', join(dir, 'cli-exit0.mjs'), '--stack', 'local'],
    'limits file with constructor': ['run', '--scenario', 'spike', '--limits-file', join(dir, 'cli-limits.json')],
    'results.json that is null': ['gate', join(dir, 'cli-null.json')],
  };
  beforeAll(async () => {
    file('cli-exit0.mjs', 'process.exit(0);\nexport default {};\n');
    file('cli-limits.json', JSON.stringify({ constructor: '5s' }));
    file('cli-null.json', 'null');
    const stateDir = join(dir, 'state');
    const runs = Object.entries(cases).map(async ([name, args]) => {
      const full = args[0] === 'run' ? [...args, '--out', join(dir, 'out')] : args;
      return [name, await rushgate(full, { env: { RUSHGATE_STATE_DIR: stateDir }, timeoutMs: 150_000 })] as const;
    });
    results = Object.fromEntries(await Promise.all(runs));
  }, 180_000);

  it.each(Object.keys(cases))('%s: exit 2, one line, no stack trace', (name) => {
    const r = results[name]!;
    expect(r.code, r.stderr).toBe(2);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
    expect(r.stderr).toMatch(/^rushgate: /);
    expect(r.stdout).toBe('');
  });
});
