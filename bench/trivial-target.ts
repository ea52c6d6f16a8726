// The trivial HTTP server every driver benchmark hits (a child process, so its CPU is not the
// driver's) and the flat schedules they replay: item PUTs (the reference call) and templated GETs (a user call).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defineScenario } from '../scenarios/define-scenario.ts';
import { resolveSchedule, type Schedule } from '../scenarios/schedule.ts';

export function flatSchedule(rps: number, seconds: number): Schedule {
  return resolveSchedule(
    defineScenario({
      name: 'bench-flat', description: 'flat item PUTs', clockStart: '00:00', defaultDurationSec: seconds, peakRps: rps, seed: 1,
      mix: { 'item-put': { weight: 1 } },
      phases: [{ kind: 'constant-rate', name: 'flat', minutes: seconds, rps }],
    }),
  );
}

/** The GET the flat-out goal names: a user call, its path filled from the catalog for each arrival. */
export const BENCH_GET_PATH = '/api/v1/stores/${storeId}/items/${itemId}';

export function flatGetSchedule(rps: number, seconds: number): Schedule {
  return resolveSchedule(
    defineScenario({
      name: 'bench-get', description: 'flat item GETs', clockStart: '00:00', defaultDurationSec: seconds, peakRps: rps, seed: 1,
      calls: { 'item-get': { method: 'GET', path: BENCH_GET_PATH, weight: 1 } },
      phases: [{ kind: 'constant-rate', name: 'flat', minutes: seconds, rps }],
    }),
  );
}

/** An event-loop stall: when it began (seconds since the load's start) and how long it lasted. */
export interface Stall {
  t: number;
  ms: number;
}

export interface TrivialServer {
  url: string;
  /** Requests that reached the server in each wall second since `fromEpochMs`, and the server's own event-loop stalls since then. */
  arrivalsPerSecond(fromEpochMs: number, seconds: number): Promise<{ counts: number[]; stalls: Stall[] }>;
  stop(): void;
}

export async function startTrivialServer(): Promise<TrivialServer> {
  const child = fork(fileURLToPath(new URL('./trivial-server.mjs', import.meta.url)), [], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], execArgv: [] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout?.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    arrivalsPerSecond: (fromEpochMs, seconds) =>
      new Promise((resolve) => {
        child.once('message', (m) => {
          const { counts, stalls } = m as { counts: number[]; stalls: Array<[number, number]> };
          resolve({ counts, stalls: stalls.map(([t, ms]) => ({ t, ms })) });
        });
        child.send({ counts: { fromEpochMs, seconds } });
      }),
    stop: () => child.kill('SIGTERM'),
  };
}
