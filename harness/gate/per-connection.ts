// channels.per-connection: a sanity ceiling on channels per connection (default 128). Channels have no
// per-unit ceiling by default (a bounded pool of any size passes), but hundreds on one connection are
// channels opened and not reused, whatever growth makes of their shape.

import type { RuleResult } from '../run-record.ts';
import { notJudged } from './ceiling.ts';
import { num } from './format.ts';
import type { GateInput } from './input.ts';
import { withGaps } from './judged-window.ts';
import { within, type CountLimit } from './limits.ts';
import type { ResourceModel } from './model.ts';

export function perConnectionRule(input: GateInput, model: ResourceModel, limit: CountLimit): RuleResult {
  const name = 'channels.per-connection';
  const peak = model.perConnection;
  if (!peak) return notJudged(name, limit, 'no broker sample during the load had a target connection open');
  const allowed = limit.absolute;
  const passed = within(peak.level, limit.op, allowed);
  const message = passed
    ? `Channels per connection peaked at ${num(peak.level)}, within the sanity limit of ${num(allowed)}.`
    : `Channels per connection reached ${num(peak.level)} at ${num(peak.t)} s, above the sanity limit of ${num(allowed)}: channels are opened and not reused.`;
  return withGaps({ name, passed, limit: limit.text, value: num(peak.level), message }, model.gaps, 0, input.loadEndSec);
}
