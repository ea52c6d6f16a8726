// The gate when rushgate did not drive the load (`rushgate watch`): it sees the broker, not the requests.
// What can still be judged is judged over time: the ceiling over the idle baseline, growth between the
// first and second half of the watch, the level at the end against the baseline at the start, churn per
// second. What needs the offered load or the HTTP answers (errors, latency, dropped arrivals, churn per
// request) is reported as not judged: shown, with the reason, and left out of the verdict.

import type { RuleResult } from '../run-record.ts';
import { ceilingRule, describeCount, notJudged } from './ceiling.ts';
import type { ResourceModel } from './model.ts';
import { perConnectionRule } from './per-connection.ts';
import { churnRule } from './churn.ts';
import { num, rate } from './format.ts';
import { countSeries, Title, type Baseline, type GateInput } from './input.ts';
import { countAllowed, RESOURCES, within, type CountLimit, type GateLimits, type Resource } from './limits.ts';
import { heldLevels, linearRegression, median, percentile } from './stats.ts';

const LEVEL_QUANTILE = 90;

/** Every enabled rule, in the same order as a driven run's verdict. */
export function rulesWithoutLoad(input: GateInput, l: GateLimits, baseline: Baseline, models: Record<Resource, ResourceModel>): RuleResult[] {
  const rules: RuleResult[] = [];
  for (const r of RESOURCES) {
    const ceiling = l[`${r}.ceiling`];
    const growth = l[`${r}.growth`];
    const residue = l[`${r}.residue`];
    const churn = l[`${r}.churn`];
    if (ceiling) rules.push(ceilingRule(input, models[r], ceiling, baseline, l.holdSec));
    if (r === 'channels' && l['channels.per-connection']) rules.push(perConnectionRule(input, models[r], l['channels.per-connection']));
    if (growth) rules.push(growthOverTimeRule(input, r, growth, l.holdSec));
    if (residue) rules.push(endLevelRule(input, r, residue, l.holdSec, baseline));
    if (churn) {
      rules.push(
        churn.perSecond
          ? churnRule(input, r, churn, { settleSec: 0 }, baseline)
          : notJudgedWithoutLoad(`${r}.churn`, churn, `its limit is per ${num(churn.per, 0)} requests and the number of requests is unknown here; write ${r}.churn<=N/s to judge it per second`),
      );
    }
  }
  const noHttp = 'rushgate did not send the requests, so it saw no answers';
  if (l['errors.rate']) rules.push(notJudgedWithoutLoad('errors.rate', l['errors.rate'], noHttp));
  if (l['latency.p99']) rules.push(notJudgedWithoutLoad('latency.p99', l['latency.p99'], noHttp));
  if (l['load.dropped']) rules.push(notJudgedWithoutLoad('load.dropped', l['load.dropped'], 'rushgate did not schedule the requests'));
  return rules;
}

/** Shown in the verdict, but it neither passes nor fails the gate. */
export function notJudgedWithoutLoad(name: string, limit: { text: string }, why: string): RuleResult {
  return { name, passed: true, judged: false, limit: limit.text, value: '–', message: `Not judged: ${why}. This rule does not decide the verdict.` };
}

/**
 * Late rise over time: the level held in the second half of the watch minus the level held in its
 * first half. A bounded pool rises by 0; a leak keeps climbing. Without the offered load, a pool that
 * grows because the load grew during the watch looks the same, and the sentence says so.
 */
export function growthOverTimeRule(input: GateInput, resource: Resource, limit: CountLimit, holdSec: number): RuleResult {
  const name = `${resource}.growth`;
  const end = input.loadEndSec;
  const points = countSeries(input.broker, resource).filter((p) => p.t >= 0 && p.t <= end);
  if (points.length < 4) return notJudged(name, limit, 'fewer than 4 broker samples were taken during the watch');
  const tHalf = end / 2;
  const held = heldLevels(points, holdSec);
  const earlyHeld = held.filter((p) => p.t <= tHalf).map((p) => p.v);
  const lateHeld = held.filter((p) => p.t > tHalf).map((p) => p.v);
  if (earlyHeld.length === 0 || lateHeld.length === 0) return notJudged(name, limit, 'the broker samples do not cover both halves of the watch');
  // A high quantile, not the maximum (noise), and never below the level at the midpoint (a steady climb).
  const atHalf = points.filter((p) => Math.abs(p.t - tHalf) <= 0.5).map((p) => p.v);
  const early = Math.max(percentile(earlyHeld, LEVEL_QUANTILE), atHalf.length > 0 ? median(atHalf) : -Infinity);
  const late = percentile(lateHeld, LEVEL_QUANTILE);
  const rise = late - early;
  const allowed = countAllowed(limit, 0, input.units);
  const passed = within(rise, limit.op, allowed);
  const perMinute = linearRegression(points.map((p) => p.t), points.map((p) => p.v)).slope * 60;
  const R = Title(resource);
  const message = passed
    ? `${R} stayed bounded over the watch: ${num(early)} held in its first half and ${num(late)} in its second (allowed rise: ${num(allowed)}). ` +
      `Without the offered load this compares time only, not load levels.`
    : `${R} kept rising over the watch: from ${num(early)} held in its first half to ${num(late)} in its second (about ${rate(perMinute)} per minute; allowed rise: ${num(allowed)}). ` +
      `Either they leak, or the load itself rose during the watch: replay a scenario with rushgate run to tell the two apart.`;
  return { name, passed, limit: limit.text, value: `+${num(Math.max(0, rise))}`, message };
}

/** The level at the end of the watch against the baseline at its start (the residue rule's limit). */
export function endLevelRule(input: GateInput, resource: Resource, limit: CountLimit, holdSec: number, baseline: Baseline): RuleResult {
  const name = `${resource}.residue`;
  const points = countSeries(input.broker, resource).filter((p) => p.t >= 0 && p.t <= input.loadEndSec);
  if (points.length === 0) return notJudged(name, limit, `no broker samples were taken during the watch, so the ${resource} at its end are unknown`);
  const lastT = points[points.length - 1]!.t;
  const final = median(points.filter((p) => p.t >= lastT - Math.max(1, holdSec)).map((p) => p.v));
  const allowed = countAllowed(limit, baseline[resource], input.units);
  const passed = within(final, limit.op, allowed);
  // A watch shows no load to hold a bound under: `<=bound` reads as the baseline at its start.
  const how = `(${describeCount(limit, baseline, resource, input)})`;
  const message = passed
    ? `${Title(resource)} were at ${num(final)} at the end of the watch, with ${num(allowed)} allowed ${how}.`
    : `${Title(resource)} were at ${num(final)} at the end of the watch: ${num(final - baseline[resource])} more than the ${num(baseline[resource])} at its start, ` +
      `where ${num(allowed)} ${allowed === 1 ? 'is' : 'are'} allowed ${how}.`;
  return { name, passed, limit: limit.text, value: num(final), message };
}
