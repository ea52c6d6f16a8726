import { execFileSync } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { GenericContainer, StartedTestContainer } from 'testcontainers';
import { registerCleanup } from '../lifecycle/cleanup.ts';
import { ownContainer } from '../lifecycle/run-ledger.ts';
import { redactText } from '../redact.ts';
import { engineRequest, findDockerEndpoint } from './docker-engine.ts';

/** Every container rushgate starts carries this label (value: the harness PID), so leftovers can be found. */
export const OWNER_LABEL = 'rushgate.owner';

export interface OwnedContainerOptions {
  /** Shown in logs and errors, e.g. "broker rushgate-1a2b". */
  what: string;
  /** Unique container name; also how a container that failed half-way through starting is removed. */
  name: string;
  builder: GenericContainer;
  /** Where the container's output goes (redacted); the last lines are also kept for error messages. */
  logFile?: string;
  /** Scrubbed from the output before it is kept, written or passed on. */
  secrets?: string[];
  onLine?: (line: string) => void;
}

export interface OwnedContainer {
  id: string;
  name: string;
  container: StartedTestContainer;
  /** True once the container's log stream ended, i.e. its main process is gone. */
  hasExited(): boolean;
  tail(lines?: number): string;
  /** Runs a command in the container; rejects with its output when it exits non-zero. */
  exec(command: string[]): Promise<string>;
  /** Stops the container, leaves it down for downMs, starts it again (same configuration and data). */
  restart(downMs: number): Promise<void>;
  /** Stops the container without removing it: `orderly` is SIGTERM with graceMs before SIGKILL, `kill` SIGKILL at once. */
  halt(mode: 'orderly' | 'kill', graceMs?: number): Promise<void>;
  /** Starts a halted container again (same configuration and data) and follows its output. */
  resume(): Promise<void>;
  /** Stops and removes the container and its anonymous volumes. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts a container that is registered for cleanup before it exists (by name), so every exit path
 * removes it: stop(), SIGINT/SIGTERM, a hard exit (sync `docker rm -f`), a failed start. Ryuk, where it
 * runs, also covers a harness killed with SIGKILL.
 */
export async function startOwnedContainer(opts: OwnedContainerOptions): Promise<OwnedContainer> {
  const recent: string[] = [];
  let log: WriteStream | undefined = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
  let exited = false;
  let started: StartedTestContainer | undefined;
  let partial = '';

  let generation = 0;
  const attachLogs = (stream: Readable) => {
    // After a restart the old stream's end may arrive late; only the current stream speaks for the container.
    const mine = ++generation;
    exited = false;
    stream.on('data', (chunk: string | Buffer) => {
      const text = partial + chunk.toString();
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const raw of lines) {
        const line = redactText(raw, opts.secrets);
        log?.write(`${line}\n`);
        if (!line.trim()) continue;
        recent.push(line);
        if (recent.length > 200) recent.shift();
        opts.onLine?.(line);
      }
    });
    // The log stream ends when the container's main process does.
    stream.on('end', () => {
      if (mine === generation) exited = true;
    });
    stream.on('error', () => {
      if (mine === generation) exited = true;
    });
  };
  opts.builder.withName(opts.name).withLabels({ [OWNER_LABEL]: String(process.pid) }).withLogConsumer(attachLogs);

  const closeLog = () => new Promise<void>((resolve) => (log ? log.end(resolve) : resolve()));
  const disown = ownContainer(opts.name);
  const release = registerCleanup({
    name: `${opts.what} (container ${opts.name})`,
    run: async () => {
      try {
        if (started) await started.stop({ remove: true, removeVolumes: true, timeout: 2_000 });
        else await removeContainer(opts.name);
      } catch {
        // Stopped by someone else, or never created: make sure, by name.
        await removeContainer(opts.name);
      }
      disown();
      await closeLog();
      log = undefined;
    },
    runSync: () => removeContainerSync(opts.name),
  });

  try {
    started = await opts.builder.start();
  } catch (err) {
    await release();
    throw err;
  }
  const container = started;
  const handleOf = async () => {
    const { getContainerRuntimeClient } = await import('testcontainers');
    const client = await getContainerRuntimeClient();
    return { client, handle: client.container.getById(container.getId()) };
  };
  const halt = async (mode: 'orderly' | 'kill', graceMs = 2_000) => {
    const { client, handle } = await handleOf();
    if (mode === 'kill') await handle.kill({ signal: 'SIGKILL' });
    else await client.container.stop(handle, { timeout: graceMs });
  };
  const resume = async () => {
    const { client, handle } = await handleOf();
    const since = Math.floor(Date.now() / 1000);
    await client.container.start(handle);
    attachLogs(await client.container.logs(handle, { since }));
  };
  return {
    id: container.getId(),
    name: opts.name,
    container,
    hasExited: () => exited,
    tail: (lines = 20) => [...recent, ...(partial ? [redactText(partial, opts.secrets)] : [])].slice(-lines).join('\n'),
    exec: async (command) => {
      const result = await container.exec(command);
      if (result.exitCode !== 0) throw new Error(`${command[0]} in ${opts.what} exited with ${result.exitCode}: ${result.output.trim()}`);
      return result.stdout;
    },
    restart: async (downMs) => {
      await halt('orderly', 2_000);
      await new Promise((r) => setTimeout(r, downMs));
      await resume();
    },
    halt,
    resume,
    stop: release,
  };
}

/** Force-removes a container by name or id, with its anonymous volumes; quiet when it is already gone. */
export async function removeContainer(nameOrId: string): Promise<void> {
  const endpoint = findDockerEndpoint();
  if (endpoint?.kind === 'socket') {
    await engineRequest(endpoint.socketPath, 'DELETE', `/containers/${encodeURIComponent(nameOrId)}?force=true&v=true`, 30_000).catch(() => {});
    return;
  }
  removeContainerSync(nameOrId);
}

function removeContainerSync(nameOrId: string): void {
  try {
    execFileSync('docker', ['rm', '--force', '--volumes', nameOrId], { stdio: 'ignore', timeout: 30_000 });
  } catch {
    // Already gone, or no docker CLI: Ryuk (where it runs) is the last line of defence.
  }
}
