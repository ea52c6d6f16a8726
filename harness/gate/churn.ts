// connections.churn / channels.churn: how many were opened and closed again per N requests.
// Opens that were still open at the end (a pool filling up, or a leak) are not churn: the ceiling,
// growth and residue rules judge those; counting them here would fail a lazily-filled pool twice.

import type { RuleResult } from '../run-record.ts';
import { notJudged } from './ceiling.ts';
import { num, rate } from './format.ts';
import { counterAt, countSeries, openedSeries, Title, totalSent, type Baseline, type GateInput } from './input.ts';
import { within, type RateLimit, type Resource } from './limits.ts';
import { median } from './stats.ts';

export function churnRule(input: GateInput, resource: Resource, limit: RateLimit, opts: { settleSec: number }, baseline: Baseline): RuleResult {
  const name = `${resource}.churn`;
  const requests = totalSent(input.load);
  if (requests === 0 && !limit.perSecond) return notJudged(name, limit, 'no requests were sent');
  const opened = openedSeries(input.broker, resource);
  if (opened.length < 2) return notJudged(name, limit, 'too few broker samples to count opened ' + resource);

  const end = input.loadEndSec + opts.settleSec;
  const openedDuring = (counterAt(opened, end) ?? 0) - (counterAt(opened, 0) ?? 0);
  const counts = countSeries(input.broker, resource);
  const near = counts.filter((p) => p.t > input.loadEndSec && p.t <= end + 1);
  const endLevel = near.length > 0 ? median(near.map((p) => p.v)) : counts[counts.length - 1]!.v;
  const stillOpen = Math.max(0, Math.round(endLevel - baseline[resource]));
  const cycled = Math.max(0, openedDuring - stillOpen);
  // A per-second limit counts over the time the counters cover: load start to the end reading.
  const seconds = Math.max(1e-9, Math.min(end, opened[opened.length - 1]!.t));
  const perLimit = limit.perSecond ? cycled / seconds : (cycled / requests) * limit.per;
  const passed = within(perLimit, limit.op, limit.value);
  const perText = limit.perSecond ? `${rate(perLimit)} per second` : `${rate(perLimit)} per ${num(limit.per, 0)} requests`;
  const over = limit.perSecond ? `in ${num(seconds)} s${requests > 0 ? ` and ${num(requests, 0)} requests` : ''}` : `for ${num(requests, 0)} requests`;
  let message = `${Title(resource)} were opened and closed again ${num(cycled, 0)} times ${over} (${perText})`;
  if (stillOpen > 0 && openedDuring > 0) message += `; ${num(Math.min(stillOpen, openedDuring), 0)} more were opened and stayed open`;
  const perRequest = requests > 0 ? cycled / requests : 0;
  if (!passed) message += perRequest >= 0.5 ? ': the service opens them per request instead of reusing them' : ': they are reopened instead of reused';
  return { name, passed, limit: limit.text, value: limit.perSecond ? `${rate(perLimit)}/s` : `${rate(perLimit)}/${num(limit.per, 0)}`, message: `${message}.` };
}
