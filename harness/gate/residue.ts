// connections.residue / channels.residue: once the load has stopped and the service had a moment
// to settle, the level is back to the idle baseline (within an allowance). Leaks show here.

import type { RuleResult } from '../run-record.ts';
import { describeCount, notJudged } from './ceiling.ts';
import { num } from './format.ts';
import { countSeries, Title, type Baseline, type GateInput } from './input.ts';
import { countAllowed, within, type CountLimit, type Resource } from './limits.ts';
import { median } from './stats.ts';

export function residueRule(
  input: GateInput,
  resource: Resource,
  limit: CountLimit,
  opts: { holdSec: number; settleSec: number },
  baseline: Baseline,
): RuleResult {
  const name = `${resource}.residue`;
  const after = countSeries(input.broker, resource).filter((p) => p.t > input.loadEndSec);
  if (after.length === 0) return notJudged(name, limit, `no broker samples were taken after the load ended, so what ${resource} were left open is unknown`);
  const settled = after.filter((p) => p.t >= input.loadEndSec + opts.settleSec);
  const use = settled.length > 0 ? settled : after;
  const lastT = use[use.length - 1]!.t;
  const final = median(use.filter((p) => p.t >= lastT - opts.holdSec).map((p) => p.v));
  const allowed = countAllowed(limit, baseline[resource], input.units);
  const passed = within(final, limit.op, allowed);
  const when = `when read ${num(lastT - input.loadEndSec)} s after the load ended`;
  const allowance = `${num(allowed)} allowed (${describeCount(limit, baseline, resource, input.units)})`;
  const message = passed
    ? `${Title(resource)} were back at ${num(final)} ${when}, with ${allowance}.`
    : `${Title(resource)} were still at ${num(final)} ${when}: ${num(final - baseline[resource])} above the idle baseline of ${num(baseline[resource])}, where ${num(allowed)} are allowed (${describeCount(limit, baseline, resource, input.units)}), so they were left open.`;
  return { name, passed, limit: limit.text, value: num(final), message };
}
