// connections.ceiling / channels.ceiling: the highest level held during the run stays under
// the idle baseline plus an allowance per unit. A spike shorter than `holdSec` is not a level.

import type { RuleResult } from '../run-record.ts';
import { num, perUnitText } from './format.ts';
import { countSeries, Title, type Baseline, type GateInput } from './input.ts';
import { countAllowed, within, type CountLimit, type Resource } from './limits.ts';
import { maxHeld, type Point } from './stats.ts';

export function ceilingRule(input: GateInput, resource: Resource, limit: CountLimit, holdSec: number, baseline: Baseline): RuleResult {
  const name = `${resource}.ceiling`;
  const points = countSeries(input.broker, resource);
  const during = points.filter((p) => p.t >= 0);
  if (during.length < 2) return notJudged(name, limit, `no broker samples were taken after the load started, so the ${resource} peak is unknown`);

  const allowed = countAllowed(limit, baseline[resource], input.units);
  const held = maxHeld(points, holdSec, 0)!;
  const rawPeak = Math.max(...during.map((p) => p.v));
  const passed = within(held.v, limit.op, allowed);
  const what = `the ceiling of ${num(allowed)} (${describeCount(limit, baseline, resource, input.units)})`;
  let message: string;
  if (passed) {
    message = `${Title(resource)} peaked at ${num(held.v)}, within ${what}`;
    if (!within(rawPeak, limit.op, allowed)) message += `; a spike to ${num(rawPeak)} lasted under ${num(holdSec)} s and was not counted`;
  } else {
    message = `${Title(resource)} rose to ${num(held.v)}, above ${what}, and stayed above it for ${num(secondsAbove(during, allowed, limit.op))} s`;
  }
  return { name, passed, limit: limit.text, value: num(held.v), message: `${message}.` };
}

/** Total time covered by consecutive samples that were both over the limit. */
export function secondsAbove(points: readonly Point[], allowed: number, op: CountLimit['op']): number {
  let total = 0;
  for (let i = 1; i < points.length; i++) {
    if (!within(points[i - 1]!.v, op, allowed) && !within(points[i]!.v, op, allowed)) total += points[i]!.t - points[i - 1]!.t;
  }
  return total;
}

export function describeCount(limit: CountLimit, baseline: Baseline, resource: Resource, units: number): string {
  const parts: string[] = [];
  if (limit.fromBaseline) parts.push(`baseline ${num(baseline[resource])}`);
  if (limit.perUnit) parts.push(perUnitText(limit.perUnit, units));
  if (limit.absolute || parts.length === 0) parts.push(num(limit.absolute));
  return parts.join(' + ');
}

export function notJudged(name: string, limit: { text: string }, why: string): RuleResult {
  // A gate that cannot see must not pass: a silent pass is how an outage ships.
  return { name, passed: false, limit: limit.text, value: 'n/a', message: `Not judged: ${why}.` };
}
