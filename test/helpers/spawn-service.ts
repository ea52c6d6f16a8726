import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { referenceServiceArgs } from '../../harness/paths.ts';
import { freePort } from '../../harness/stack/free-port.ts';

// Starts the reference ingestion service (service/main.ts, or the suite's compiled build of it: see
// referenceServiceArgs) as a child process for integration tests:
// free loopback port, PORT/AMQP_URL in its environment, ready when /healthz answers 200 and (by default)
// every unit reports itself listening. Stopped by PID; anything left running is killed when the test
// process exits.

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export type PublisherKind = 'leaky' | 'per-request' | 'shared';

export interface SpawnServiceOptions {
  amqpUrl: string;
  publisher?: PublisherKind;
  units?: number;
  /** Extra environment (e.g. AMQP_CONNECT_TIMEOUT_MS, CONSUMER). */
  env?: Record<string, string>;
  readyTimeoutMs?: number;
  /** 'units' (default) also waits until every unit listens and, for shared, holds its connection. */
  waitFor?: 'healthz' | 'units';
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnedService {
  url: string;
  port: number;
  pid: number;
  /** Everything the service printed so far (stdout and stderr). */
  output(): string;
  exited: Promise<ExitStatus>;
  /** Sends `signal` (default SIGTERM) to the primary and waits for the exit; SIGKILL after `timeoutMs`. */
  stop(opts?: { signal?: NodeJS.Signals; timeoutMs?: number }): Promise<ExitStatus>;
}

export class ServiceStartError extends Error {
  override name = 'ServiceStartError';
}

interface UnitsAnswer {
  clusterReady: boolean;
  units: Array<{ unit: number; listening: boolean; ready: boolean }>;
}

export async function spawnService(opts: SpawnServiceOptions): Promise<SpawnedService> {
  const port = await freePort();
  const publisher = opts.publisher ?? 'shared';
  const units = opts.units ?? 1;
  const child = spawn(process.execPath, referenceServiceArgs(), {
    cwd: REPO_ROOT,
    env: { ...process.env, ...opts.env, PORT: String(port), AMQP_URL: opts.amqpUrl, PUBLISHER: publisher, UNITS: String(units) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new ServiceStartError('the service did not spawn');
  live.add(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<ExitStatus>((resolve) =>
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    }),
  );
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const url = `http://127.0.0.1:${port}`;
  const stop: SpawnedService['stop'] = async ({ signal = 'SIGTERM', timeoutMs = 15_000 } = {}) => {
    if (!hasExited) child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const status = await exited;
    clearTimeout(timer);
    return status;
  };

  const timeoutMs = opts.readyTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (true) {
    if (hasExited) throw new ServiceStartError(`the service exited before it was ready. Output:\n${out}`);
    if (Date.now() > deadline) {
      await stop({ signal: 'SIGKILL' });
      throw new ServiceStartError(`the service was not ready after ${timeoutMs} ms (last: ${last}). Output:\n${out}`);
    }
    try {
      const health = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      await health.arrayBuffer();
      last = `/healthz ${health.status}`;
      if (health.ok) {
        if (opts.waitFor === 'healthz') break;
        const answer = (await (await fetch(`${url}/units`, { signal: AbortSignal.timeout(2_000) })).json()) as UnitsAnswer;
        const allUp = answer.units.length === units && answer.units.every((u) => u.listening && (publisher !== 'shared' || u.ready));
        last = `/units ${JSON.stringify(answer.units)}`;
        if (allUp) break;
      }
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, port, pid: child.pid, output: () => out, exited, stop };
}
