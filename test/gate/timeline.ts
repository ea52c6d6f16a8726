// Synthetic runs for the gate's unit tests: a load shape (phases), and a model of how a service's
// broker connections respond to it, sampled like the broker sampler does (every 250 ms).

import type { BrokerSample, LoadSecond } from '../../harness/run-record.ts';
import type { GateInput } from '../../harness/gate/input.ts';
import { mulberry32 } from '../../scenarios/payloads.ts';

export interface PhaseSpec {
  name: string;
  seconds: number;
  fromRps: number;
  toRps?: number;
}

/** What a service holds open at an instant; `opened` is cumulative since the service started. */
export interface ModelState {
  open: number;
  opened: number;
}
export interface ModelContext {
  t: number;
  /** Requests sent so far. */
  requests: number;
  /** Offered rate right now (0 outside the load). */
  rps: number;
  loadEndSec: number;
  rng: () => number;
}
export type Model = (ctx: ModelContext) => ModelState;

/** Seeded noise for the synthetic timelines (the scenarios' own PRNG). */
export const rng = (seed: number): (() => number) => mulberry32(seed);


export function poisson(mean: number, r: () => number): number {
  if (mean <= 0) return 0;
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gauss(r)));
  const l = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= r();
  } while (p > l);
  return k - 1;
}
function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());
}

// ---- models ----------------------------------------------------------------------------------

/** The fix: `units` connections opened at start, held. */
export const shared = (units = 1): Model => () => ({ open: units, opened: units });

/** The incident: every k-th request opens a connection that is never closed (k = 1: every request). */
export const leaky = (every = 1, base = 0): Model => (c) => ({ open: base + Math.floor(c.requests / every), opened: base + Math.floor(c.requests / every) });

/** Open and close one per request: open = requests in flight (Little's law), never left behind. */
export const perRequest = (lifetimeMs = 20): Model => (c) => {
  const open = c.t < c.loadEndSec && c.t >= 0 ? poisson((c.rps * lifetimeMs) / 1000, c.rng) : 0;
  return { open, opened: Math.round(c.requests) + open };
};

/** A lazy pool: opens one more connection every `perRequests` requests until it holds `size`. */
export const lazyPool = (size: number, perRequests: number): Model => (c) => {
  const open = Math.min(size, c.requests > 0 ? 1 + Math.floor(c.requests / perRequests) : 0);
  return { open, opened: open };
};

/**
 * A pool that grows with the concurrency it has seen (never shrinks) up to `size`: the pool a
 * busy service with a lazily-filled connection pool really has.
 */
export function concurrencyPool(size: number, lifetimeMs: number): Model {
  let seen = 0;
  return (c) => {
    if (c.t >= 0 && c.t < c.loadEndSec) seen = Math.max(seen, poisson((c.rps * lifetimeMs) / 1000, c.rng));
    const open = Math.min(size, seen);
    return { open, opened: open };
  };
}

/**
 * A level that steps at given times and otherwise holds (`[fromSec, level]`, sorted): a pool that a
 * client fills as the load asks for more, and keeps. `idle` before the first step.
 */
export const steps = (at: Array<[number, number]>, idle = 0): Model => {
  let opened = 0;
  let last = 0;
  return (c) => {
    let open = idle;
    for (const [from, level] of at) if (c.t >= from) open = level;
    if (open > last) opened += open - last;
    last = open;
    return { open, opened: Math.max(opened, open) };
  };
};

/** Adds one-sample blips of +`height` with probability `p` per sample. */
export const withBlips = (model: Model, p: number, height = 1): Model => (c) => {
  const s = model(c);
  return c.rng() < p ? { open: s.open + height, opened: s.opened + height } : s;
};

// ---- shapes ----------------------------------------------------------------------------------

/** Plateaus at x1..x5 of `base` req/s, each followed by a cool-down at `coolRps`. */
export function stepLadder(base = 10, plateauSec = 10, coolSec = 4, coolRps = 0): PhaseSpec[] {
  const out: PhaseSpec[] = [];
  for (let k = 1; k <= 5; k++) {
    out.push({ name: `x${k}`, seconds: plateauSec, fromRps: base * k });
    if (coolSec > 0 && k < 5) out.push({ name: `cool-${k}`, seconds: coolSec, fromRps: coolRps });
  }
  return out;
}

/** A compressed European morning: night, opening ramp, peak, decay, second peak, tail. */
export function euMorning(peak = 100, scale = 1): PhaseSpec[] {
  const s = (n: number) => Math.max(1, Math.round(n * scale));
  return [
    { name: 'night', seconds: s(6), fromRps: 0.05 * peak },
    { name: 'opening', seconds: s(14), fromRps: 0.05 * peak, toRps: peak },
    { name: 'peak', seconds: s(12), fromRps: peak },
    { name: 'decay', seconds: s(10), fromRps: peak, toRps: 0.3 * peak },
    { name: 'second-peak', seconds: s(6), fromRps: 0.7 * peak },
    { name: 'tail', seconds: s(8), fromRps: 0.2 * peak },
  ];
}

/** One phase per second at the given rates: a compressed scenario as the driver scheduled it. */
export function perSecondRates(rates: readonly number[]): PhaseSpec[] {
  return rates.map((rps, i) => ({ name: `s${i}`, seconds: 1, fromRps: rps }));
}

// ---- the run ---------------------------------------------------------------------------------

export interface RunSpec {
  phases: PhaseSpec[];
  connections: Model;
  channels?: Model;
  units?: number;
  baselineSec?: number;
  coolDownSec?: number;
  intervalSec?: number;
  seed?: number;
  /** Per second: share answered 5xx, share with no answer, share dropped, latency, most requests in flight. */
  perSecond?: (t: number, sent: number) => Partial<Pick<LoadSecond, 'status' | 'errors' | 'dropped' | 'latency' | 'inFlightMax'>>;
  /** End the load early (an abort) at this second. */
  stopAtSec?: number;
}

export function run(spec: RunSpec): GateInput {
  const r = rng(spec.seed ?? 1);
  const interval = spec.intervalSec ?? 0.25;
  const phases: GateInput['phases'] = [];
  let at = 0;
  for (const p of spec.phases) {
    phases.push({ name: p.name, kind: p.toRps === undefined ? 'constant-rate' : 'ramp', startSec: at, endSec: at + p.seconds, fromRps: p.fromRps, toRps: p.toRps ?? p.fromRps, clockStart: '07:00' });
    at += p.seconds;
  }
  const loadEndSec = Math.min(at, spec.stopAtSec ?? at);
  const rpsAt = (t: number) => {
    if (t < 0 || t >= loadEndSec) return 0;
    const p = phases.find((ph) => t >= ph.startSec && t < ph.endSec)!;
    return p.fromRps + ((p.toRps - p.fromRps) * (t - p.startSec)) / (p.endSec - p.startSec);
  };

  const load: LoadSecond[] = [];
  let carry = 0;
  for (let s = 0; s < loadEndSec; s++) {
    let expected = 0;
    for (let k = 0; k < 10; k++) expected += rpsAt(s + (k + 0.5) / 10) / 10;
    carry += expected;
    const scheduled = Math.floor(carry);
    carry -= scheduled;
    const extra = spec.perSecond?.(s, scheduled) ?? {};
    const dropped = extra.dropped ?? 0;
    const sent = scheduled - dropped;
    load.push({
      t: s,
      clock: '07:00',
      phase: phases.find((ph) => s >= ph.startSec && s < ph.endSec)!.name,
      scheduled,
      sent,
      completed: sent - Object.values(extra.errors ?? {}).reduce((a, n) => a + n, 0),
      dropped,
      status: extra.status ?? { '200': sent },
      errors: extra.errors ?? {},
      latency: extra.latency ?? { p50: 5, p90: 9, p99: 14, max: 30 },
      ...(extra.inFlightMax === undefined ? {} : { inFlightMax: extra.inFlightMax }),
    });
  }
  const requestsAt = (t: number) => {
    let total = 0;
    for (const s of load) total += s.t + 1 <= t ? s.sent : s.t < t ? s.sent * (t - s.t) : 0;
    return total;
  };

  const broker: BrokerSample[] = [];
  const start = -(spec.baselineSec ?? 2);
  const end = loadEndSec + (spec.coolDownSec ?? 4);
  const chModel = spec.channels ?? spec.connections;
  for (let i = 0; start + i * interval <= end + 1e-9; i++) {
    const t = Number((start + i * interval).toFixed(3));
    const ctx = { t, requests: requestsAt(t), rps: rpsAt(t), loadEndSec, rng: r };
    const c = spec.connections(ctx);
    const ch = chModel(ctx);
    broker.push({
      t,
      connections: c.open,
      channels: ch.open,
      connectionsOpened: c.opened,
      connectionsClosed: c.opened - c.open,
      channelsOpened: ch.opened,
      channelsClosed: ch.opened - ch.open,
      harnessConnections: 0,
      harnessChannels: 0,
    });
  }
  return { load, broker, units: spec.units ?? 1, phases, loadEndSec };
}

export function rule(verdict: { rules: Array<{ name: string; passed: boolean; message: string; value: string; limit: string }> }, name: string) {
  const found = verdict.rules.find((r) => r.name === name);
  if (!found) throw new Error(`no rule ${name} in verdict: ${verdict.rules.map((r) => r.name).join(', ')}`);
  return found;
}
