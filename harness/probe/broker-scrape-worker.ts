// The broker sampler's worker thread: fetches the Prometheus endpoint on its own timer and posts each
// answer with the time it was taken, so a load driver that keeps the main thread busy (thousands of
// connections, big request bodies) can delay when samples are read but not when they are taken.
//
// The worker is plain JavaScript with no imports, run with `eval`: it starts in ~0.3 s whether rushgate
// runs from TypeScript sources (tsx, vitest) or compiled, where a TypeScript worker would need tsx
// registered in the worker first (~2 s on a busy 2-core machine, and Node 20 ignores `--import` in a
// worker's execArgv). Parsing and redaction stay on the main thread, in typed code.

export interface ScrapeWorkerData {
  /** One endpoint per broker node, all scraped in the same tick. */
  targets: Array<{ url: string; headers: Record<string, string> }>;
  intervalMs: number;
  timeoutMs: number;
  /**
   * With several targets: how long a tick waits for the slowest node. A node that has not answered by then
   * is missing from this tick (its answer is dropped) and is skipped until its scrape settles, so a hung
   * node cannot hold up the others for longer than this.
   */
  tickWaitMs: number;
  /** Wall-clock ms (performance.timeOrigin + performance.now()) at t = 0 of the run. */
  zeroMs: number;
}

/** One target's outcome in a tick. `t` is seconds since load start, read in the worker when the scrape happened. */
export type ScrapeResult =
  /** t: midway between sending the request and reading the answer; ms: how long that took. */
  | { kind: 'answer'; t: number; ms: number; status: number; body: string }
  /** t: when the request was sent; ms: until it failed. */
  | { kind: 'failure'; t: number; ms: number; timeout: boolean; message: string }
  /** Several targets only: no answer within tickWaitMs (late: this tick's scrape; busy: the last one had not settled). */
  | { kind: 'late'; t: number; ms: number; busy: boolean };

/** Worker -> main: every target's result of one tick, in the order of `targets`. */
export type ScrapeMessage = { kind: 'tick'; results: ScrapeResult[] } | { kind: 'stopped'; t: number };

/** Main -> worker. */
export type ScrapeCommand = { kind: 'stop' };

export const SCRAPE_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const o = workerData;
const now = () => (performance.timeOrigin + performance.now() - o.zeroMs) / 1000;
const round3 = (x) => Math.round(x * 1000) / 1000;
const startedMs = performance.now();
const busy = o.targets.map(() => false);
let stopped = false;
let timer;
let inFlight;
let tick = 0;

async function scrapeOne(target) {
  const before = now();
  try {
    const res = await fetch(target.url, { headers: target.headers, signal: AbortSignal.timeout(o.timeoutMs) });
    const body = await res.text();
    const after = now();
    return { kind: 'answer', t: round3((before + after) / 2), ms: Math.round((after - before) * 1000), status: res.status, body };
  } catch (err) {
    const message = String(err && err.cause instanceof Error ? err.cause.message : err && err.message);
    return { kind: 'failure', t: round3(before), ms: Math.round((now() - before) * 1000), timeout: Boolean(err && err.name === 'TimeoutError'), message };
  }
}

// One target: wait for its scrape, as long as it takes (up to timeoutMs). Several: wait at most
// tickWaitMs for each, so a node that hangs is a hole in its own series, not in the others'.
function scrapeTarget(target, i) {
  if (o.targets.length === 1) return scrapeOne(target);
  const sentAt = now();
  const late = (isBusy) => ({ kind: 'late', t: round3(sentAt), ms: Math.round((now() - sentAt) * 1000), busy: isBusy });
  if (busy[i]) return Promise.resolve(late(true));
  busy[i] = true;
  const scrape = scrapeOne(target).finally(() => { busy[i] = false; });
  let waiting;
  const deadline = new Promise((r) => { waiting = setTimeout(() => r(late(false)), o.tickWaitMs); });
  return Promise.race([scrape, deadline]).finally(() => clearTimeout(waiting));
}

async function scrapeAll() {
  const results = await Promise.all(o.targets.map(scrapeTarget));
  if (stopped && results.every((r) => r.kind !== 'answer')) return;
  parentPort.postMessage({ kind: 'tick', results });
}

// Fixed-rate schedule: a slow scrape skips ticks instead of drifting or piling up.
function schedule() {
  if (stopped) return;
  const elapsed = performance.now() - startedMs;
  tick = Math.max(tick + 1, Math.ceil(elapsed / o.intervalMs));
  timer = setTimeout(run, Math.max(0, tick * o.intervalMs - elapsed));
}

function run() {
  if (stopped) return;
  inFlight = scrapeAll().finally(() => { inFlight = undefined; });
  inFlight.then(schedule);
}

parentPort.on('message', (cmd) => {
  if (cmd.kind !== 'stop' || stopped) return;
  stopped = true;
  clearTimeout(timer);
  Promise.resolve(inFlight).then(() => {
    parentPort.postMessage({ kind: 'stopped', t: round3(now()) });
    parentPort.close();
  });
});

run();
`;
