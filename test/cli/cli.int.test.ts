// The binary as CI meets it: exit codes (0 pass, 1 fail, 2 usage, 3 cannot run) and messages a person
// can act on, never a stack trace for a mistake of theirs. One real run is saved once and re-gated.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../harness/run-record.ts';
import { BUILT_IN_SCENARIOS } from '../../scenarios/index.ts';
import { hasStackTrace, rushgate, type CliResult } from './spawn-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'rushgate-cli-int-'));
const results = join(dir, 'saved', 'results.json');
let saved: { res: CliResult; record: RunRecord };

beforeAll(async () => {
  const res = await rushgate(
    ['run', '--scenario', 'step-ladder', '--publisher', 'shared', '--units', '1', '--duration', '8s', '--peak-rps', '40', '--cooldown', '2s',
      '--stack', 'local', '--quiet', '--limit', 'latency.p99<8s', '--out', join(dir, 'saved')],
    { timeoutMs: 100_000 },
  );
  if (res.code !== 0 && res.code !== 1) throw new Error(`the saved run could not run (exit ${res.code}):\n${res.stdout}\n${res.stderr}`);
  saved = { res, record: JSON.parse(readFileSync(results, 'utf8')) as RunRecord };
}, 110_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A usage or setup mistake: the given exit code, a short message on stderr, no stack. */
function expectPlainError(res: CliResult, code: number): string[] {
  expect(res.code, res.stderr).toBe(code);
  expect(hasStackTrace(res.stderr), res.stderr).toBe(false);
  expect(res.stderr).not.toMatch(/unexpected error/);
  return res.stderr.trimEnd().split('\n');
}

describe('rushgate CLI', () => {
  it('the saved run exits with its verdict (0 pass / 1 fail)', () => {
    expect(saved.res.code).toBe(saved.record.verdict.passed ? 0 : 1);
    expect(saved.res.stdout).toMatch(saved.record.verdict.passed ? /^PASSED/m : /^FAILED/m);
    expect(saved.record.summary.requests).toBeGreaterThan(50);
  });

  it('an unknown flag: exit 2, one line saying which, no stack trace', async () => {
    const lines = expectPlainError(await rushgate(['run', '--scenario', 'step-ladder', '--frobnicate', '3']), 2);
    expect(lines[0]).toMatch(/^rushgate: Unknown arguments?: frobnicate/);
    expect(lines.length).toBeLessThanOrEqual(2);
  });

  it('a bad flag value: exit 2 with the flag and what it expects', async () => {
    const lines = expectPlainError(await rushgate(['run', '--scenario', 'step-ladder', '--duration', 'soon']), 2);
    expect(lines).toEqual(['rushgate: --duration "soon" is not a duration. Use e.g. 60s, 2m or 90.']);
  });

  it('an unknown scenario: exit 2 listing the built-ins', async () => {
    const lines = expectPlainError(await rushgate(['run', '--scenario', 'eu-evening', '--stack', 'local']), 2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/Scenario "eu-evening" is not a built-in scenario/);
    for (const name of Object.keys(BUILT_IN_SCENARIOS)) expect(lines[0]).toContain(name);
  });

  it('bad limit text: exit 2 listing every problem', async () => {
    const res = await rushgate(['run', '--scenario', 'step-ladder', '--stack', 'local', '--limit', 'errors.rate<lots', '--limit', 'connections.cieling=baseline+1', '--limit', 'latency.p99<=fast']);
    const lines = expectPlainError(res, 2);
    expect(lines[0]).toMatch(/Gate limits could not be read \(3 problems\)/);
    const problems = lines.filter((l) => l.startsWith('  - '));
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/"errors.rate<lots": expected a share/);
    expect(problems[1]).toMatch(/"connections.cieling=baseline\+1": unknown rule "connections.cieling"/);
    expect(problems[2]).toMatch(/"latency.p99<=fast": expected a duration/);
  });

  it('gate on the saved run with a stricter limit: exit 1 naming the rule', async () => {
    const res = await rushgate(['gate', results, 'latency.p99<1ms']);
    expect(res.code, res.stdout + res.stderr).toBe(1);
    expect(res.stdout).toMatch(/^FAILED/m);
    expect(res.stdout).toMatch(/fail: latency\.p99 +The slowest 1% of responses took [\d,.]+ ms or more, over the 1 ms limit\./);
  });

  it('gate on the saved run with its own limits: the saved verdict, rule by rule', async () => {
    const res = await rushgate(['gate', results]);
    expect(res.code).toBe(saved.record.verdict.passed ? 0 : 1);
    for (const r of saved.record.verdict.rules) {
      expect(res.stdout).toMatch(new RegExp(`^ +${r.passed ? 'ok:' : 'fail:'} +${r.name.replace(/\./g, '\\.')} `, 'm'));
    }
  });

  it('gate on a file that is not a run record: exit 2', async () => {
    expectPlainError(await rushgate(['gate', join(dir, 'missing.json')]), 2);
  });

  it('a target command that exits at once: exit 3 with the tail of its output', async () => {
    const res = await rushgate(['run', '--scenario', 'step-ladder', '--stack', 'local', '--units', '1', '--quiet',
      '--target-command', "echo 'target-boom: cannot reach the config store' >&2; exit 4"], { timeoutMs: 90_000 });
    const lines = expectPlainError(res, 3);
    expect(res.stderr).toContain('target-boom: cannot reach the config store');
    expect(lines[0]).toMatch(/^rushgate: .*exited/);
  }, 100_000);

  it('--stack external at a non-loopback host without --allow-remote-target: exit 2 before any traffic', async () => {
    const host = '192.0.2.10'; // TEST-NET-1: documentation only, never routed.
    const res = await rushgate(['run', '--scenario', 'step-ladder', '--stack', 'external',
      '--amqp-url', `amqp://user:s3cret-pass@${host}:5672`, '--management-url', `http://${host}:15672`,
      '--prometheus-url', `http://${host}:15692`, '--target-url', `http://${host}:8080`]);
    const lines = expectPlainError(res, 2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/Refusing to send load to a non-loopback address .*--allow-remote-target/);
    expect(res.stderr).not.toContain('s3cret-pass');
  });

  it('watch with a broker that does not answer: exit 3', async () => {
    const res = await rushgate(['watch', '--management-url', 'http://127.0.0.1:9', '--prometheus-url', 'http://127.0.0.1:9', '--duration', '5s']);
    const lines = expectPlainError(res, 3);
    expect(lines[0]).toMatch(/^rushgate: Cannot watch: The RabbitMQ management API at http:\/\/127\.0\.0\.1:9 could not be reached/);
  });

  it('watch with a per-request churn limit: exit 2 (a watch cannot count requests)', async () => {
    const res = await rushgate(['watch', '--management-url', 'http://127.0.0.1:9', '--prometheus-url', 'http://127.0.0.1:9', '--duration', '5s', '--limit', 'connections.churn<5/1000']);
    const lines = expectPlainError(res, 2);
    expect(lines[0]).toMatch(/connections\.churn<5\/1000 is per requests, which a watch cannot count/);
  });
});
