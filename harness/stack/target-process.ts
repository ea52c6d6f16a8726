import { startOwnedProcess, type OwnedProcess } from '../lifecycle/owned-process.ts';
import { REPO_ROOT, referenceServiceArgs } from '../paths.ts';
import { redactText } from '../redact.ts';
import { freePort } from './free-port.ts';
import { ReadinessTimeoutError, waitForHttp } from './readiness.ts';

export class TargetStartError extends Error {
  override name = 'TargetStartError';
}

export type Publisher = 'leaky' | 'per-request' | 'shared';
export const PUBLISHERS: readonly Publisher[] = ['leaky', 'per-request', 'shared'];

export interface TargetOptions {
  amqpUrl: string;
  /** Every broker node's URL (first = amqpUrl), given to the target as AMQP_URLS. */
  amqpUrls?: string[];
  /** Shell command for a user's service; without it the reference service runs with `publisher`. */
  command?: string;
  publisher?: Publisher;
  units: number;
  verifyExchange?: string;
  healthPath?: string;
  readyTimeoutMs?: number;
  /** Secrets to scrub from the target's output before it is shown. */
  secrets?: string[];
  logFile?: string;
}

export interface StartedTarget {
  url: string;
  port: number;
  description: string;
  process: OwnedProcess;
  tail(lines?: number): string;
  stop(): Promise<void>;
}

/** Starts the service under test with PORT and AMQP_URL (the target contract) and waits for its health check. */
export async function startTarget(opts: TargetOptions): Promise<StartedTarget> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    AMQP_URL: opts.amqpUrl,
    AMQP_URLS: (opts.amqpUrls ?? [opts.amqpUrl]).join(','),
    UNITS: String(opts.units),
    ...(opts.verifyExchange ? { VERIFY_EXCHANGE: opts.verifyExchange } : {}),
    ...(opts.publisher ? { PUBLISHER: opts.publisher } : {}),
  };
  // target.log is a report file: whatever the target prints (it may echo AMQP_URL) is scrubbed as it is written.
  const redact = (text: string) => redactText(text, opts.secrets);
  const description = opts.command ? `target command \`${opts.command}\`` : `reference service (publisher ${opts.publisher ?? 'shared'})`;
  const proc = opts.command
    ? startOwnedProcess({ name: description, command: '/bin/sh', args: ['-c', opts.command], env, logFile: opts.logFile, graceMs: 8_000, redact })
    : startOwnedProcess({
        name: description,
        command: process.execPath,
        args: referenceServiceArgs(),
        env,
        cwd: REPO_ROOT,
        logFile: opts.logFile,
        graceMs: 8_000,
        redact,
      });
  const url = `http://127.0.0.1:${port}`;
  const tail = (lines?: number) => proc.tail(lines);
  try {
    await waitForHttp({
      what: description,
      url: `${url}${opts.healthPath ?? '/healthz'}`,
      timeoutMs: opts.readyTimeoutMs ?? 30_000,
      failFast: () => (proc.hasExited() ? `it exited. Its last output:\n${tail(15)}` : undefined),
    });
  } catch (err) {
    await proc.stop();
    if (err instanceof ReadinessTimeoutError) {
      throw new TargetStartError(`${err.message}\nThe target must listen on 127.0.0.1:$PORT and answer ${opts.healthPath ?? '/healthz'} with 200.`);
    }
    throw err;
  }
  return { url, port, description, process: proc, tail, stop: () => proc.stop() };
}
