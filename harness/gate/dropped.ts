// load.dropped: arrivals the schedule asked for but the driver could not send because too many
// requests were still waiting for answers. A run that dropped much did not offer the load it claims.

import type { RuleResult } from '../run-record.ts';
import { notJudged } from './ceiling.ts';
import { num, pct } from './format.ts';
import type { GateInput } from './input.ts';
import { within, type ShareLimit } from './limits.ts';

export function droppedRule(input: GateInput, limit: ShareLimit): RuleResult {
  const name = 'load.dropped';
  const scheduled = input.load.reduce((a, s) => a + s.scheduled, 0);
  if (scheduled === 0) return notJudged(name, limit, 'the schedule asked for no requests');
  const dropped = input.load.reduce((a, s) => a + s.dropped, 0);
  const share = dropped / scheduled;
  const passed = within(share, limit.op, limit.fraction);
  return {
    name,
    passed,
    limit: limit.text,
    value: pct(share),
    message:
      dropped === 0
        ? `All ${num(scheduled, 0)} scheduled requests were sent.`
        : `${num(dropped, 0)} of ${num(scheduled, 0)} scheduled requests (${pct(share)}) were not sent because too many were still waiting for an answer${passed ? '' : `, more than the ${pct(limit.fraction)} allowed: the service could not keep up with the offered load`}.`,
  };
}
