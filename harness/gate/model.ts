// The gate model: one reading of how a resource (connections or channels) behaved under the load,
// computed once as plain named data. The ceiling, per-connection, growth and residue rules are short
// readings of it (abort-on-fail reads the same held levels), so their sentences cannot contradict each other.
//
// The question is bounded or not, as RabbitMQ's guidance puts it (long-lived connections, channels reused):
// - bounded: the level rose to a bound and then held it while requests kept coming at equal or higher
//   load. Real clients fill pools lazily (rascal's 5 confirm channels, Spring's cache of 25), so *when*
//   a pool fills, and how big it is, is not a defect.
// - leak: the level kept rising at loads the service had already served, i.e. with requests served.
//   A rise that came with a new high of the requests in flight is explained by new load too, while the
//   level stays within what that concurrency could hold (risesOf): a starved service answers slowly, its
//   concurrency (offered rate x latency) reaches new highs at offered rates already served, and a lazy
//   pool fills only then. A new high of the offered rate explains a rise up to what its requests in flight
//   could hold as well (per unit), when the driver counted them: past that the level grew with requests.
// - follows load (per-request): the level fell back when the load fell, i.e. it rises and falls with
//   offered load instead of being kept.
// - still rising: it rose only with new highs of the load, and the load ended before it could show
//   that it holds. Reported as "not shown to be bounded", with the numbers.
// - capped: it stopped at the broker's connection_max; the broker bounded it, not the service.
//
// How much holding shows a bound. A leak of one per k requests climbs at that pace at any load, so a
// hold proves something only if a leak at the pace the level climbed (at loads already served) would
// have risen by more than the allowance over it. A level that only climbed with new load highs showed
// no such pace: any hold at equal or higher load is then enough (MIN_PROOF_SHARE of the requests and
// 2 x the hold time). Levels are held levels (stats.ts): a blip shorter than the hold time is not one.

import { countAllowed, defaultLimits, RESOURCES, type CountLimit, type GateLimits, type Resource } from './limits.ts';
import { countSeries, cumulativeSentAt, offeredAt, totalSent, type GateInput } from './input.ts';
import { AFTER_LOAD_SEC, fallWithLoad, loadBands, type Fall, type LoadBand } from './load-bands.ts';
import { gapsOf, type Gap } from './sampling-gaps.ts';
import { heldLevels, median, type Point } from './stats.ts';
import type { LoadSecond } from '../run-record.ts';

/**
 * A rise this soon after the offered load reached a new high is explained by the new load: a pool grows
 * to a new concurrency within moments of the step. Longer, and a compressed ladder's short plateaus would
 * excuse a leak's every rise.
 */
const NEW_LOAD_SETTLE_SEC = 1;
/**
 * A new high of the requests in flight must pass the previous high by this share and one request: the
 * per-second high-water mark of a steady load wanders by a request or two and sets small records by
 * chance, while a starved service's concurrency grows by multiples (5 to 37 to 170 in the runs that
 * showed it).
 */
const NEW_CONCURRENCY_MARGIN = 0.1;
/** Share of the run's requests a level must hold for, at least, to count as a bound. */
export const MIN_PROOF_SHARE = 0.05;

export type Shape = 'bounded' | 'leak' | 'follows-load' | 'still-rising' | 'capped' | 'unknown';

export interface ResourceModel {
  resource: Resource;
  /** The growth allowance the model was read with: a rise this small is noise, not growth. */
  allowance: number;
  /** Seconds a count must hold to be a level; a bound must hold twice that. */
  holdSec: number;
  /** Broker samples taken from load start to the end of the after-load window. */
  samples: number;
  bands: LoadBand[];
  /** Level at load start (held), and the highest level held from load start on (the ceiling's number). */
  startLevel: number;
  peak: { level: number; t: number };
  /** Highest single reading from load start on (a spike may be higher than any held level). */
  rawPeak: number;
  /** When the level first came within `allowance` of its peak during the load. */
  /** `inFlight`: the new high of the requests in flight it was reached with, when requests with as many in flight counted for the hold. */
  reached: { level: number; t: number; requests: number; rps: number; inFlight?: number };
  /**
   * What came after `reached`, the evidence that the level holds: every request (a leak rises with any),
   * those at no less than 90% of the load it was reached at (a pool may rightly grow with more load; the
   * offered rate, or the requests in flight when a new high of them explained reaching it),
   * the seconds covered, and how much the level still rose.
   */
  heldAfter: { requests: number; requestsAtLoad: number; seconds: number; rise: number };
  /** Requests the hold needed at that load (a share of the run), and in all (to outlast the climb's pace). */
  proofNeeded: { atLoad: number; inAll: number };
  /**
   * Rise of the level at loads already served: not within NEW_LOAD_SETTLE_SEC of a new high of the
   * offered load, nor of a new high of the requests in flight that could hold the level (risesOf).
   */
  riseAtServedLoad: number;
  /**
   * The highest level a rise reached that only a new high of the requests in flight explained (the offered
   * rate had been served before), with that high and when the level rose. Absent when none did, and for
   * records without the driver's in-flight counts.
   */
  concurrencyRise?: { level: number; t: number; inFlight: number };
  /** Pace of that rise near the peak, per 1,000 requests (0 when it only rose with new load). */
  servedPacePer1000: number;
  /** Level at the halfway point of the requests and the rise per 1,000 requests after it. */
  secondHalf: { from: number; to: number; requests: number; per1000: number };
  /** The level fell back when the load fell: high-load band level minus the later low-load band level. */
  fall?: Fall;
  /** Set when the resource was shown bounded: the level that held (the residue's `bound`). */
  bound?: number;
  shape: Shape;
  /** The level read after the load settled (residue), when there were samples. */
  end?: { level: number; atSec: number };
  /** Channels per connection, highest held (channels only). */
  perConnection?: { level: number; t: number };
  /** Stretches without broker samples, from the input or found in the sample spacing. */
  gaps: Gap[];
}

export interface ModelOptions {
  holdSec: number;
  /** The growth allowance as a count (the growth limit), 0 if growth is off. */
  allowance: number;
  /** Seconds after the load before the residue is read. */
  settleSec: number;
}

export function resourceModel(input: GateInput, resource: Resource, opts: ModelOptions): ResourceModel {
  const { holdSec, allowance } = opts;
  const points = countSeries(input.broker, resource);
  const end = input.loadEndSec;
  const held = heldLevels(points, holdSec);
  const during = held.filter((p) => p.t >= 0 && p.t <= end);
  const fromStart = held.filter((p) => p.t >= 0);
  const rpsAt = (t: number) => offeredAt(input.load, t, end);
  const requestsAt = (t: number) => cumulativeSentAt(input.load, t);
  const total = totalSent(input.load);
  const bands = loadBands(input, points, holdSec);

  const peakPoint = fromStart.reduce<Point | undefined>((best, p) => (!best || p.v > best.v ? p : best), undefined) ?? { t: 0, v: NaN };
  const duringPeak = Math.max(...during.map((p) => p.v));
  const startLevel = during[0]?.v ?? NaN;
  const reachedPoint = during.find((p) => p.v >= duringPeak - allowance) ?? { t: 0, v: NaN };
  const reachedRps = rpsAt(reachedPoint.t);
  const rises = risesOf(during, input);
  // A level reached with a new high of the requests in flight was reached at that concurrency: requests
  // that came with as many in flight or more show it holds as well as those at the offered rate it came at.
  const reachedInFlight = rises.find((r) => r.t === reachedPoint.t)?.inFlight;
  const atRate = (s: LoadSecond) => s.scheduled >= 0.9 * reachedRps;
  const atLoad = (s: LoadSecond) => atRate(s) || (reachedInFlight !== undefined && (s.inFlightMax ?? 0) >= 0.9 * reachedInFlight);
  // A starved driver sends late: a send counts in the second the schedule put it in, though the service
  // got it later, while an answer counts in the wall second it came. The requests the service got after
  // the level was reached are at least the answers after it less those already in flight then (the most
  // in flight in that second), so the hold counts the more of that and the sends after it. Records without
  // the in-flight counts count sends, as before.
  const inFlightAtReach = input.load.find((s) => s.t === Math.floor(reachedPoint.t))?.inFlightMax;
  const after = (ok: (s: LoadSecond) => boolean) => {
    const sent = requestsWhere(input, reachedPoint.t, end, (s) => (ok(s) ? s.sent : 0));
    if (inFlightAtReach === undefined) return sent;
    return Math.max(sent, requestsWhere(input, reachedPoint.t, end, (s) => (ok(s) ? s.completed : 0)) - inFlightAtReach);
  };
  // How long the level was seen holding while requests kept coming, at any load: a compressed timeline's
  // peak may last under a second, and what shows a bound is the level staying put through what follows
  // (a level that falls with the load is read as follows-load below; one that keeps rising, as a leak).
  // The load it held at is judged in requests (requestsAtLoad), which a short peak still delivers.
  const kept = during.filter((p) => p.t >= reachedPoint.t && p.v >= reachedPoint.v - allowance);
  const heldAfter = {
    requests: Math.max(total - requestsAt(reachedPoint.t), after(() => true)),
    requestsAtLoad: after(atLoad),
    seconds: kept.length > 0 ? kept[kept.length - 1]!.t - reachedPoint.t : 0,
    rise: Math.max(0, duringPeak - reachedPoint.v),
  };

  // Rises at loads already served, and their pace over the last climb before the level was reached.
  const riseAtServedLoad = rises.filter((r) => !r.withNewLoad).reduce((a, r) => a + r.by, 0);
  const byConcurrency = rises.filter((r) => r.byConcurrency).reduce<Rise | undefined>((best, r) => (!best || r.level > best.level ? r : best), undefined);
  const climbFrom = during.find((p) => p.v >= reachedPoint.v - 2 * (allowance + 1))?.t ?? 0;
  const climbRequests = requestsAt(reachedPoint.t) - requestsAt(climbFrom);
  const climbServedRise = rises.filter((r) => !r.withNewLoad && r.t > climbFrom && r.t <= reachedPoint.t).reduce((a, r) => a + r.by, 0);
  const pace = climbRequests > 0 ? climbServedRise / climbRequests : 0;
  const proofNeeded = { atLoad: MIN_PROOF_SHARE * total, inAll: riseAtServedLoad > allowance && pace > 0 ? (allowance + 1) / pace : 0 };

  const tHalf = halfwayTime(input);
  const atHalf = held.find((p) => p.t >= tHalf)?.v ?? startLevel;
  const halfRequests = total - requestsAt(tHalf);
  const secondHalf = { from: atHalf, to: duringPeak, requests: halfRequests, per1000: halfRequests > 0 ? ((duringPeak - atHalf) / halfRequests) * 1000 : 0 };

  const fall = fallWithLoad(bands, allowance);
  const settled = points.filter((p) => p.t > end && p.t >= end + opts.settleSec);
  const readAfter = settled.length > 0 ? settled : points.filter((p) => p.t > end);
  const lastT = readAfter[readAfter.length - 1]?.t;
  const endReading = lastT === undefined ? undefined : { level: median(readAfter.filter((p) => p.t >= lastT - holdSec).map((p) => p.v)), atSec: lastT - end };

  const peakConnections = Math.max(...countSeries(input.broker, 'connections').filter((p) => p.t >= 0).map((p) => p.v));
  let shape: Shape;
  if (during.length < 4 || total === 0) shape = 'unknown';
  else if (input.connectionMax !== undefined && peakConnections >= input.connectionMax) shape = 'capped';
  else if (fall && fall.drop > allowance && !fall.boundBeforePeak) shape = 'follows-load';
  else if (heldAfter.requestsAtLoad >= proofNeeded.atLoad && heldAfter.seconds >= 2 * holdSec && heldAfter.requests >= proofNeeded.inAll) shape = 'bounded';
  else if (riseAtServedLoad > allowance) shape = 'leak';
  else shape = 'still-rising';

  const model: ResourceModel = {
    resource,
    allowance,
    holdSec,
    samples: points.filter((p) => p.t >= 0 && p.t <= end + AFTER_LOAD_SEC).length,
    bands,
    startLevel,
    peak: { level: peakPoint.v, t: peakPoint.t },
    rawPeak: Math.max(...points.filter((p) => p.t >= 0).map((p) => p.v)),
    reached: { level: reachedPoint.v, t: reachedPoint.t, requests: requestsAt(reachedPoint.t), rps: reachedRps },
    heldAfter,
    proofNeeded,
    riseAtServedLoad,
    servedPacePer1000: pace * 1000,
    secondHalf,
    shape,
    gaps: gapsOf(input),
  };
  if (fall) model.fall = fall;
  // Said only when the requests in flight counted requests the offered rate alone would not have.
  if (reachedInFlight !== undefined && heldAfter.requestsAtLoad > after(atRate)) model.reached.inFlight = reachedInFlight;
  if (byConcurrency) model.concurrencyRise = { level: byConcurrency.level, t: byConcurrency.t, inFlight: byConcurrency.inFlight! };
  if (shape === 'bounded') model.bound = duringPeak;
  if (endReading) model.end = endReading;
  if (resource === 'channels') model.perConnection = perConnectionPeak(input, holdSec);
  return model;
}

interface Rise {
  t: number;
  by: number;
  /** The held level the rise reached. */
  level: number;
  withNewLoad: boolean;
  /** Set when the requests in flight had just reached a new high that could hold the level: that high. */
  inFlight?: number;
  /** Only that new high explained the rise: the offered rate had been served before. */
  byConcurrency: boolean;
}

/**
 * Every step up of the held level, and whether new load explains it: the offered rate, or the requests in
 * flight (the service's concurrency, when the driver recorded it), had just reached a new high.
 *
 * A rise with a new high of the requests in flight counts only while the level is at most the level at load
 * start plus the most requests in flight so far. A pool opens a connection or channel when every one it
 * holds is busy, so each one it opened during the load was needed by a request in flight at once with
 * the others: a pool cannot need more than there were requests in flight. A leak grows with requests
 * served, not with concurrency: it leaves that bound behind after about k x (requests in flight) requests
 * at one per k, whatever concurrency does, and between concurrency's new highs (which end: the in-flight
 * limit and the load bound them) its rises count as rises at loads already served, as before.
 */
function risesOf(during: readonly Point[], input: GateInput): Rise[] {
  // highestBy[s] = highest offered rate in seconds 0..s-1; likewise highestInFlightBy for the requests in flight.
  const last = Math.max(0, ...input.load.map((s) => s.t + 1));
  const rate = new Array<number>(last).fill(0);
  const inFlight = new Array<number>(last).fill(0);
  for (const s of input.load) {
    if (s.t < 0) continue;
    rate[s.t] = s.scheduled;
    inFlight[s.t] = s.inFlightMax ?? 0;
  }
  const highestBy = [0];
  const highestInFlightBy = [0];
  for (let s = 0; s < last; s++) {
    highestBy.push(Math.max(highestBy[s]!, rate[s]!));
    highestInFlightBy.push(Math.max(highestInFlightBy[s]!, inFlight[s]!));
  }
  const startLevel = during[0]?.v ?? 0;
  // Records from before the driver counted its requests in flight are judged as they were.
  const withInFlight = input.load.some((s) => s.inFlightMax !== undefined);
  const units = Math.max(1, input.units);
  const out: Rise[] = [];
  for (let i = 1; i < during.length; i++) {
    const by = during[i]!.v - during[i - 1]!.v;
    if (by <= 0) continue;
    const t = during[i]!.t;
    const level = during[i]!.v;
    // The highest load up to the settle window against the highest load inside it; the margin keeps a
    // schedule's rounding (one arrival more in some second) from looking like a new high.
    const cut = Math.max(0, Math.min(last, Math.floor(t - NEW_LOAD_SETTLE_SEC)));
    const now = Math.min(last, Math.floor(t) + 1);
    const inFlightHigh = highestInFlightBy[now]!;
    // A new high of the offered rate explains a rise only up to the level its requests in flight could
    // need, counted per unit (each unit's pool fills with its own share, and those peak at different
    // times). Past it the level grew with requests served: a leak that climbed 1:1 with requests to 458
    // with 117 in flight, every rise inside a step of a compressed ladder, read as "not shown to be
    // bounded" without it (a run beside two CPU hogs). The first second stays free: a pool may open its
    // whole size at once.
    const rateCanHold = !withInFlight || level <= startLevel + units * inFlightHigh;
    const newRate = t < NEW_LOAD_SETTLE_SEC || (highestBy[now]! > highestBy[cut]! * 1.03 + 1 && rateCanHold);
    const newConcurrency = inFlightHigh > highestInFlightBy[cut]! * (1 + NEW_CONCURRENCY_MARGIN) + 1 && level <= startLevel + inFlightHigh;
    const rise: Rise = { t, by, level, withNewLoad: newRate || newConcurrency, byConcurrency: newConcurrency && !newRate };
    if (newConcurrency) rise.inFlight = inFlightHigh;
    out.push(rise);
  }
  return out;
}

/** Requests between two times, as `count` counts each second's (0 for a second that does not count). */
function requestsWhere(input: GateInput, from: number, to: number, count: (s: LoadSecond) => number): number {
  let n = 0;
  for (const s of input.load) {
    const overlap = Math.min(s.t + 1, to) - Math.max(s.t, from);
    if (overlap > 0) n += count(s) * overlap;
  }
  return n;
}

function halfwayTime(input: GateInput): number {
  const total = totalSent(input.load);
  let acc = 0;
  for (const s of [...input.load].sort((a, b) => a.t - b.t)) {
    if (s.sent > 0 && acc + s.sent >= total / 2) return s.t + (total / 2 - acc) / s.sent;
    acc += s.sent;
  }
  return 0;
}

function perConnectionPeak(input: GateInput, holdSec: number): ResourceModel['perConnection'] {
  const during = input.broker.filter((s) => s.t >= 0);
  const ratio = during.filter((s) => s.connections > 0).map((s) => ({ t: s.t, v: s.channels / s.connections }));
  let best: Point | undefined;
  for (const p of heldLevels(ratio, holdSec)) if (!best || p.v > best.v) best = p;
  if (best) return { level: best.v, t: best.t };
  // No target connection open and no channel either (an idle watch): nothing rode on a connection.
  if (during.length >= 2 && during.every((s) => s.connections === 0 && s.channels === 0)) return { level: 0, t: 0 };
  return undefined;
}

/** The models of both resources, read with the run's limits (the growth limit is the allowance). */
export function modelsFor(input: GateInput, l: GateLimits): Record<Resource, ResourceModel> {
  const out = {} as Record<Resource, ResourceModel>;
  for (const r of RESOURCES) {
    out[r] = resourceModel(input, r, { holdSec: l.holdSec, settleSec: l.residueSettleSec, allowance: allowanceOf(l[`${r}.growth`] ?? defaultLimits[`${r}.growth`], input.units) });
  }
  return out;
}

/** The largest rise a growth limit lets pass (counts are whole: `<2` allows 1). */
function allowanceOf(limit: CountLimit | null, units: number): number {
  if (!limit) return 0;
  const allowed = countAllowed(limit, 0, units);
  return limit.op === '<' ? Math.max(0, Math.ceil(allowed) - 1) : allowed;
}
