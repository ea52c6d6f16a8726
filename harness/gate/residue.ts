// connections.residue / channels.residue: what stays open once the load has stopped and the service had
// a moment to settle. By default (`<=bound`) it is judged against the bound the gate model found held
// during the load: a pool that keeps its connections or channels is not a leak, what rose beyond the
// bound is; with no bound shown (a leak, a count still rising), against the idle baseline.

import type { RuleResult } from '../run-record.ts';
import { describeCount, notJudged } from './ceiling.ts';
import { num } from './format.ts';
import { Title, type Baseline, type GateInput } from './input.ts';
import { withGaps } from './judged-window.ts';
import { countAllowed, within, type CountLimit } from './limits.ts';
import type { ResourceModel } from './model.ts';

export function residueRule(input: GateInput, model: ResourceModel, limit: CountLimit, baseline: Baseline): RuleResult {
  const resource = model.resource;
  const name = `${resource}.residue`;
  if (!model.end) return notJudged(name, limit, `no broker samples were taken after the load ended, so what ${resource} were left open is unknown`);
  const idle = baseline[resource];
  const final = model.end.level;
  const allowed = countAllowed(limit, idle, input.units, model.bound ?? idle);
  const passed = within(final, limit.op, allowed);
  const R = Title(resource);
  const when = `when read ${num(model.end.atSec)} s after the load ended`;
  let message: string;
  if (limit.fromBound && model.bound !== undefined) {
    message = passed
      ? `${R} were at ${num(final)} ${when}, within the bound of ${num(model.bound)} that held during the load (idle baseline ${num(idle)}), so nothing rose beyond the bound.`
      : `${R} were still at ${num(final)} ${when}: ${num(final - model.bound)} above the bound of ${num(model.bound)} that held during the load, so those were left open.`;
  } else if (limit.fromBound) {
    message = passed
      ? `${R} were back at ${num(final)} ${when}, within the idle baseline of ${num(idle)}.`
      : `${R} were still at ${num(final)} ${when}: ${num(final - idle)} above the idle baseline of ${num(idle)}, and no bound held during the load (see ${resource}.growth), so they were left open.`;
  } else {
    const how = describeCount(limit, baseline, resource, input, model.bound);
    message = passed
      ? `${R} were back at ${num(final)} ${when}, with ${num(allowed)} allowed (${how}).`
      : `${R} were still at ${num(final)} ${when}: ${num(final - idle)} above the idle baseline of ${num(idle)}, where ${num(allowed)} are allowed (${how}), so they were left open.`;
  }
  return withGaps({ name, passed, limit: limit.text, value: num(final), message }, model.gaps, input.loadEndSec, input.loadEndSec + model.end.atSec);
}
