// connections.growth / channels.growth: connections must not grow with load or with requests served.
//
// A bounded pool, even one that opens lazily, reaches its size and then stays there; a leak keeps
// rising with every request; a connection-per-request design rises and falls with the offered load.
// Two measurements tell these apart, and either one failing fails the rule:
//
// 1. Late rise (leaks). The highest level held after half of the requests were sent, minus the highest
//    level held before that point. A pool that fills early rises by 0; a leak of one connection per k
//    requests rises by about (requests in the second half) / k, at any rate of leaking.
// 2. Load coupling (connections that follow load). The level held at high offered load (>= 80% of the
//    peak) minus the level held at low load (<= 50%) after the peak was first reached, when a pool that
//    fills lazily is already full. It is excused when the level at mid load (50-80%) already equals the
//    level at high load: that is a pool that hit its bound before the peak, not growth that keeps pace.
//    With a step ladder these bands are its plateaus (seconds right after a step are skipped), otherwise
//    the burst's own ramps, peaks and valleys.
//
// Levels are medians or held levels (see stats.ts), so a one-off +1 does not count. The limit is the
// rise allowed, e.g. `<=1`. A pool that is still filling at the highest load cannot be told from growth;
// the report says so in numbers, and `connections.growth<=N` raises the allowance for such a pool.

import type { RuleResult } from '../run-record.ts';
import { notJudged } from './ceiling.ts';
import { atRps, num, rate } from './format.ts';
import { countSeries, cumulativeSentAt, offeredAt, timeAtRequestShare, Title, totalSent, type GateInput } from './input.ts';
import { countAllowed, within, type CountLimit, type Resource } from './limits.ts';
import { heldLevels, linearRegression, median, percentile, type Point } from './stats.ts';

/** Samples this long after the load stops still show load-driven connections closing (coupling). */
const POST_LOAD_WINDOW_SEC = 5;
/** What is still open this long after the load stopped counts as kept (a leak), not load-driven. */
const REMAIN_AFTER_SEC = 0.5;
const LEVEL_QUANTILE = 90;
const HIGH = 0.8;
const LOW = 0.5;

export interface GrowthAnalysis {
  lateRise?: { early: number; late: number; rise: number; requestsBetween: number; per1000: number };
  coupling?: { high: number; low: number; mid?: number; proportionalMid?: number; rise: number; highRps: number; lowRps: number; saturated: boolean };
}

export function analyseGrowth(input: GateInput, resource: Resource, holdSec: number): GrowthAnalysis {
  const points = countSeries(input.broker, resource);
  const out: GrowthAnalysis = {};
  const rpsAt = (t: number) => offeredAt(input.load, t, input.loadEndSec);
  const held = heldLevels(points, holdSec);

  // 1. Late rise. A high quantile rather than the maximum: load-driven counts fluctuate, and the
  // largest of many fluctuations is noise, while a pool's level or a leak's climb is not.
  const tHalf = timeAtRequestShare(input.load, 0.5);
  const earlyHeld = held.filter((p) => p.t >= 0 && p.t <= tHalf);
  if (earlyHeld.length > 0) {
    // ...but never below the level at the halfway point itself, which a steady climb would understate.
    const atHalf = points.filter((p) => p.t >= tHalf - 0.5 && p.t <= tHalf + 0.5);
    const early = Math.max(percentile(earlyHeld.map((p) => p.v), LEVEL_QUANTILE), atHalf.length > 0 ? median(atHalf.map((p) => p.v)) : -Infinity);
    const earlyPeakRps = Math.max(0, ...input.load.filter((s) => s.t < tHalf).map((s) => s.scheduled));
    // Only compare at load no higher than the first half saw: more load may rightly need more.
    const lateHeld = held.filter((p) => p.t > tHalf && p.t <= input.loadEndSec && rpsAt(p.t) <= earlyPeakRps * 1.05);
    const remaining = points.filter((p) => p.t >= input.loadEndSec + REMAIN_AFTER_SEC && p.t <= input.loadEndSec + REMAIN_AFTER_SEC + 2);
    const candidates: number[] = [];
    if (lateHeld.length > 0) candidates.push(percentile(lateHeld.map((p) => p.v), LEVEL_QUANTILE));
    if (remaining.length >= 2) candidates.push(median(remaining.map((p) => p.v)));
    if (candidates.length > 0) {
      const late = Math.max(...candidates);
      const rise = late - early;
      const requestsBetween = totalSent(input.load) - cumulativeSentAt(input.load, tHalf);
      // The pace, for the sentence: slope of the count on requests sent over the second half.
      const secondHalf = points.filter((p) => p.t > tHalf && p.t <= input.loadEndSec + REMAIN_AFTER_SEC + 2);
      const fit = linearRegression(secondHalf.map((p) => cumulativeSentAt(input.load, p.t)), secondHalf.map((p) => p.v));
      out.lateRise = { early, late, rise, requestsBetween, per1000: fit.slope * 1000 };
    }
  }

  // 2. Load coupling.
  const rated = points
    .filter((p) => p.t >= 0 && p.t <= input.loadEndSec + POST_LOAD_WINDOW_SEC)
    .map((p) => ({ ...p, rps: rpsAt(p.t) }));
  const peakRps = Math.max(0, ...input.load.map((s) => s.scheduled));
  if (peakRps > 0) {
    const steady = rated.filter((p) => !justAfterStep(input, p.t, peakRps, holdSec));
    const tPeak = Math.min(...input.load.filter((s) => s.scheduled >= HIGH * peakRps).map((s) => s.t));
    const high = steady.filter((p) => p.rps >= HIGH * peakRps);
    const mid = steady.filter((p) => p.rps > LOW * peakRps && p.rps < HIGH * peakRps);
    let low = steady.filter((p) => p.rps <= LOW * peakRps && p.t > tPeak);
    if (low.length < 3) low = steady.filter((p) => p.rps <= LOW * peakRps);
    if (high.length >= 2 && low.length >= 2) {
      const h = median(high.map((p) => p.v));
      const l = median(low.map((p) => p.v));
      const highRps = median(high.map((p) => p.rps));
      const lowRps = median(low.map((p) => p.rps));
      const m = mid.length >= 2 ? median(mid.map((p) => p.v)) : undefined;
      const midRps = mid.length >= 2 ? median(mid.map((p) => p.rps)) : undefined;
      // What the mid-load level would be if connections were proportional to load between low and high.
      const proportionalMid = m !== undefined && midRps !== undefined && highRps > lowRps ? l + ((h - l) * (midRps - lowRps)) / (highRps - lowRps) : undefined;
      out.coupling = { high: h, low: l, mid: m, proportionalMid, rise: h - l, highRps, lowRps, saturated: false };
    }
  }
  return out;
}

/** True for samples within `holdSec` after the offered rate stepped by more than 20% of the peak. */
function justAfterStep(input: GateInput, t: number, peakRps: number, holdSec: number): boolean {
  for (let s = Math.floor(t); s >= Math.floor(t - holdSec); s--) {
    const now = offeredAt(input.load, s, input.loadEndSec);
    const before = offeredAt(input.load, s - 1, input.loadEndSec);
    if (s >= 0 && Math.abs(now - before) > 0.2 * peakRps && t - s <= holdSec) return true;
  }
  return false;
}

export function growthRule(input: GateInput, resource: Resource, limit: CountLimit, holdSec: number): RuleResult {
  const name = `${resource}.growth`;
  if (totalSent(input.load) === 0) return notJudged(name, limit, 'no requests were sent');
  const inLoad = countSeries(input.broker, resource).filter((p: Point) => p.t >= 0 && p.t <= input.loadEndSec);
  if (inLoad.length < 4) return notJudged(name, limit, `fewer than 4 broker samples were taken during the load`);

  const allowed = countAllowed(limit, 0, input.units);
  const a = analyseGrowth(input, resource, holdSec);
  const R = Title(resource);
  const allowText = `allowed rise: ${num(allowed)}`;
  if (a.coupling) {
    const c = a.coupling;
    // A bound reached before the peak: the mid-load level is already (nearly) the peak-load level, and
    // clearly above where connections proportional to load would be.
    c.saturated =
      c.mid !== undefined && c.proportionalMid !== undefined && within(c.high - c.mid, limit.op, allowed) && c.high - c.mid <= 0.25 * (c.high - c.proportionalMid);
  }

  const lateFails = a.lateRise !== undefined && !within(a.lateRise.rise, limit.op, allowed);
  const couplingFails = a.coupling !== undefined && !a.coupling.saturated && !within(a.coupling.rise, limit.op, allowed);

  // Both failing means they also fell when load fell: load-driven, so that diagnosis is shown first.
  if (couplingFails) {
    const c = a.coupling!;
    return {
      name,
      passed: false,
      limit: limit.text,
      value: `+${num(c.rise)}`,
      message:
        `${R} rose from ${num(c.low)} ${atRps(c.lowRps)} to ${num(c.high)} ${atRps(c.highRps)}: they grow ` +
        `with load instead of staying bounded (${allowText}${c.mid !== undefined ? `; ${num(c.mid)} at mid load, so no bound was reached` : ''}).`,
    };
  }
  if (lateFails) {
    const l = a.lateRise!;
    return {
      name,
      passed: false,
      limit: limit.text,
      value: `+${num(l.rise)}`,
      message:
        `${R} kept rising after half of the requests had been sent: from ${num(l.early)} to ${num(l.late)} over the last ` +
        `${num(l.requestsBetween, 0)} requests (about ${rate(l.per1000)} per 1,000), so they grow with requests instead of ` +
        `staying bounded (${allowText}).`,
    };
  }
  // A level held flat at the broker's connection_max is the broker refusing more, not the service
  // holding back: growth that hit the cap cannot pass as bounded (channels ride on those connections).
  const peakConnections = Math.max(...countSeries(input.broker, 'connections').filter((p) => p.t >= 0).map((p) => p.v));
  if (input.connectionMax !== undefined && peakConnections >= input.connectionMax) {
    const peak = Math.max(...inLoad.map((p) => p.v));
    return {
      name,
      passed: false,
      limit: limit.text,
      value: `${num(peak)} (capped)`,
      message:
        `${R} rose to ${num(peak)} while connections reached the broker's connection_max of ${num(input.connectionMax)}: ` +
        `the broker stopped them, not the service, so they were not bounded (${allowText}).`,
    };
  }
  const parts: string[] = [];
  if (a.lateRise) parts.push(`${num(a.lateRise.early)} held before half of the requests and ${num(a.lateRise.late)} after`);
  if (a.coupling) {
    parts.push(
      a.coupling.saturated && !within(a.coupling.rise, limit.op, allowed)
        ? `${num(a.coupling.high)} at peak load, the same as at mid load, so a bound was reached`
        : `${num(a.coupling.high)} ${atRps(a.coupling.highRps)} and ${num(a.coupling.low)} ${atRps(a.coupling.lowRps)}`,
    );
  }
  const rise = Math.max(a.lateRise?.rise ?? 0, a.coupling && !a.coupling.saturated ? a.coupling.rise : 0);
  return {
    name,
    passed: true,
    limit: limit.text,
    value: `+${num(Math.max(0, rise))}`,
    message: `${R} stayed bounded: ${parts.join('; ') || 'no change was measured'} (${allowText}).`,
  };
}
