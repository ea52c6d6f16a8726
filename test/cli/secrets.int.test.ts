// No secret printed or saved: runs on an external stack whose every URL carries credentials, with a
// password in each awkward form (an unescaped "@", a %2F-escaped "/", a ":"), and every output of each
// run — stdout, stderr, every file in the report directory — is searched for the password in any form.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedRabbitNode } from '../../harness/stack/rabbitmq-node.ts';
import { management } from '../helpers/broker-view.ts';
import { leaseBroker } from '../helpers/shared-broker.ts';
import { spawnService, type SpawnedService } from '../helpers/spawn-service.ts';
import { rushgate, type CliResult } from './spawn-cli.ts';

const MARK = 'pw7Secret';
// [user, password as the user means it, password as written in the URL]
const FORMS = [
  ['at-user', `${MARK}@A`, `${MARK}@A`],
  ['slash-user', `${MARK}/B`, `${MARK}%2FB`],
  ['colon-user', `${MARK}:C`, `${MARK}:C`],
] as const;

const out = mkdtempSync(join(tmpdir(), 'rushgate-secrets-int-'));
let node: StartedRabbitNode;
let service: SpawnedService;
const results = new Map<string, CliResult>();

beforeAll(async () => {
  node = await leaseBroker();
  service = await spawnService({ amqpUrl: node.amqpUrl, publisher: 'shared', waitFor: 'healthz' });
  // Through the management API rather than rabbitmqctl: no Erlang VM start per call, and the leased
  // node stays reusable (the pool removes these users when the file gives it back).
  for (const [user, password] of FORMS) {
    await managementPut(`/api/users/${encodeURIComponent(user)}`, { password, tags: 'administrator' });
    await managementPut(`/api/permissions/%2F/${encodeURIComponent(user)}`, { configure: '.*', write: '.*', read: '.*' });
  }
  const amqp = new URL(node.amqpUrl);
  const mgmt = new URL(node.managementUrl);
  const prom = new URL(node.prometheusUrl);
  const target = new URL(service.url);
  // One run per form, each a few seconds of light load on the same broker and service, all three at once:
  // what is judged is what each prints and writes, not its verdict.
  await Promise.all(
    FORMS.map(async ([user, , written]) => {
      const auth = `${user}:${written}@`;
      const res = await rushgate(
        ['run', '--scenario', 'step-ladder', '--stack', 'external', '--duration', '3s', '--peak-rps', '10', '--units', '1', '--cooldown', '1s',
          '--amqp-url', `amqp://${auth}${amqp.host}`, '--management-url', `http://${auth}${mgmt.host}`,
          '--prometheus-url', `http://${auth}${prom.host}`, '--target-url', `http://${auth}${target.host}`, '--out', join(out, user)],
        { env: { RUSHGATE_STATE_DIR: join(out, 'state') }, timeoutMs: 100_000 },
      );
      results.set(user, res);
    }),
  );
}, 400_000);

afterAll(async () => {
  await service?.stop();
  await node?.stop();
  rmSync(out, { recursive: true, force: true });
});

async function managementPut(path: string, body: unknown): Promise<void> {
  const res = await management(node, path, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`PUT ${path}: HTTP ${res.status} ${await res.text()}`);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('credentials in every URL form never reach an output', () => {
  it.each(FORMS.map(([user]) => user))('%s: the run completed and wrote its reports', (user) => {
    const res = results.get(user)!;
    expect([0, 1], res.stderr).toContain(res.code);
    expect(filesUnder(join(out, user)).map((f) => f.slice(join(out, user).length + 1))).toEqual(expect.arrayContaining(['results.json', 'summary.md', 'report.html']));
  });

  it.each(FORMS.map(([user]) => user))('%s: no password in stdout, stderr or any report file', (user) => {
    const res = results.get(user)!;
    const outputs: Array<[string, string]> = [
      ['stdout', res.stdout],
      ['stderr', res.stderr],
      ...filesUnder(join(out, user)).map((f): [string, string] => [f, readFileSync(f, 'latin1')]),
    ];
    const leaks = outputs.filter(([, text]) => text.includes(MARK)).map(([where]) => where);
    expect(leaks).toEqual([]);
  });
});
