import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../harness/stack/free-port.ts';
import { spawnService } from '../helpers/spawn-service.ts';
import { suiteBuilt } from '../helpers/suite-build/compiled.ts';

// The service binary's own contract: configuration errors exit 2 with a readable message, and a broker
// that is not there never costs credentials in the output (shared keeps serving 503s meanwhile).

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function run(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const { PORT: _p, AMQP_URL: _a, PUBLISHER: _b, UNITS: _u, ...clean } = process.env;
    // The suite's compiled service once it is in place (as the package runs it), else the sources through tsx.
    const built = suiteBuilt('service/main.js');
    const child = spawn(process.execPath, [...(built ? [built] : ['--import', 'tsx', 'service/main.ts']), ...args], { cwd: REPO_ROOT, env: { ...clean, ...env } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('service start-up', () => {
  it('exits 2 naming PORT and AMQP_URL when they are missing', async () => {
    const { code, output } = await run({});
    expect(code).toBe(2);
    expect(output).toMatch(/PORT is not set/);
    expect(output).toMatch(/AMQP_URL is not set/);
    expect(output).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('exits 2 on a bad publisher without echoing the URL', async () => {
    const { code, output } = await run({ PORT: '8080', AMQP_URL: 'amqp://user:Sup3rS3cret@127.0.0.1:1' }, ['--publisher', 'pooled']);
    expect(code).toBe(2);
    expect(output).toMatch(/publisher must be one of leaky, per-request, shared, got "pooled"/);
    expect(output).not.toContain('Sup3rS3cret');
  });

  it('serves with the broker unreachable: healthy, not ready, 503 + Retry-After, credentials never printed', async () => {
    const deadPort = await freePort();
    const service = await spawnService({ amqpUrl: `amqp://user:Sup3rS3cret@127.0.0.1:${deadPort}`, publisher: 'shared', waitFor: 'healthz' });
    try {
      expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${service.url}/readyz`)).status).toBe(503);
      const res = await fetch(`${service.url}/api/v1/stores/s1/items/i1`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'i1', name: 'Tea', price: 3.2, currency: 'GBP' }),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await res.json()).toMatchObject({ error: 'broker_unavailable', reason: 'disconnected' });
      expect(await (await fetch(`${service.url}/traceability`)).json()).toMatchObject({ accepted: 1, waiting: 0, withdrawn: 1 });
    } finally {
      const status = await service.stop();
      expect(status.code).toBe(0);
    }
    expect(service.output()).toMatch(/amqp:\/\/\*\*\*@127\.0\.0\.1/);
    expect(service.output()).not.toContain('Sup3rS3cret');
  });
});
