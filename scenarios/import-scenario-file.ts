// A user's .ts/.js scenario file is code: importing it in the harness's own thread would let it hang the
// run (a top-level await that never settles) or end it with exit 0, which reads as "gate passed". It is
// evaluated in a worker thread with a deadline instead, and only its default export comes back, as data.
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { ScenarioError } from './define-scenario.ts';

export const SCENARIO_IMPORT_TIMEOUT_MS = 15_000;

export type ImportedScenario = { kind: 'scenario' | 'spec'; value: unknown };

type WorkerReply = ImportedScenario | { kind: 'loaded' } | { kind: 'error'; name: string; message: string; problems?: string[]; scenario: string };

const BRAND = Symbol.for('rushgate.scenario');

/**
 * Imports the file in this thread, once the worker has shown it loads safely: its default export holds
 * functions (body functions) that cannot be posted across threads. TypeScript goes through tsx's loader,
 * so it loads the same from a checkout and from the installed package (compiled JavaScript, plain node).
 */
async function importHere(file: string): Promise<ImportedScenario> {
  const url = pathToFileURL(file).href;
  let mod: { default?: unknown };
  if (/\.[mc]?ts$/.test(file)) {
    const { tsImport } = await import('tsx/esm/api');
    mod = (await tsImport(url, import.meta.url)) as { default?: unknown };
  } else {
    mod = (await import(url)) as { default?: unknown };
  }
  let value = mod.default as Record<string | symbol, unknown> | undefined;
  // Outside a "type": "module" package tsx compiles the file as CommonJS: its exports arrive as `default`.
  if (value && typeof value === 'object' && value.__esModule === true) value = value.default as typeof value;
  return { kind: value && typeof value === 'object' && value[BRAND] === true ? 'scenario' : 'spec', value };
}

/** The file's default export (a resolved scenario or a spec), or a ScenarioError that says what went wrong. */
export function importScenarioFile(file: string, source: string, timeoutMs = SCENARIO_IMPORT_TIMEOUT_MS): Promise<ImportedScenario> {
  const fail = (problem: string) => new ScenarioError('(unreadable)', [problem], source);
  return new Promise((resolve, reject) => {
    let worker: Worker;
    try {
      worker = new Worker(new URL('./scenario-file-worker.mjs', import.meta.url), {
        workerData: { href: pathToFileURL(file).href },
        stdout: true,
        stderr: true,
      });
    } catch (err) {
      reject(fail(`could not load the file: ${(err as Error).message}`));
      return;
    }
    // Whatever the file prints is not rushgate's output: keep stdout clean for the verdict.
    worker.stdout.pipe(process.stderr, { end: false });
    worker.stderr.pipe(process.stderr, { end: false });
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
      void worker.terminate();
    };
    const timer = setTimeout(
      () => settle(() => reject(fail(`loading the file did not finish within ${timeoutMs / 1000} s (its top-level code never settled)`))),
      timeoutMs,
    );
    worker.once('message', (reply: WorkerReply) =>
      settle(() => {
        if (reply.kind === 'loaded') return resolve(importHere(file).catch((err: Error) => Promise.reject(fail(`could not load the file: ${oneLine(err.message)}`))));
        if (reply.kind !== 'error') return resolve(reply);
        if (reply.name === 'ScenarioError' && reply.problems) return reject(new ScenarioError(reply.scenario, reply.problems, source));
        reject(fail(`could not load the file: ${oneLine(reply.message)}`));
      }),
    );
    worker.once('error', (err) => settle(() => reject(fail(`could not load the file: ${oneLine(err.message)}`))));
    worker.once('exit', (code) =>
      settle(() =>
        reject(
          fail(
            code === 13
              ? 'its top-level await never settled, so the file never finished loading'
              : `the file ended its process while loading (process.exit(${code})); a scenario file must only export a scenario`,
          ),
        ),
      ),
    );
  });
}

function oneLine(message: string): string {
  const text = message.replace(/\s*\n\s*/g, ' ').trim();
  return text.length > 300 ? `${text.slice(0, 300)}...` : text;
}
