// connections.churn / channels.churn: how many were opened and closed again per N requests, from the
// broker's own opened/closed counters read on either side of the load (so a hole in the sampling loses
// nothing: the counters kept counting). Opens that were still open at the end (a pool filling up, or a
// leak) are not churn: the ceiling, growth and residue rules judge those; counting them here would fail
// a lazily-filled pool twice.

import type { RuleResult } from '../run-record.ts';
import { notJudged } from './ceiling.ts';
import { num, rate } from './format.ts';
import { openedSeries, Title, totalSent, type Baseline, type GateInput } from './input.ts';
import { within, type RateLimit, type Resource } from './limits.ts';
import { gapsOf, gapsWithin } from './sampling-gaps.ts';
import type { Point } from './stats.ts';

export function churnRule(input: GateInput, resource: Resource, limit: RateLimit, opts: { settleSec: number }, _baseline: Baseline): RuleResult {
  const name = `${resource}.churn`;
  const requests = totalSent(input.load);
  if (requests === 0 && !limit.perSecond) return notJudged(name, limit, 'no requests were sent');
  const opened = openedSeries(input.broker, resource);
  if (opened.length < 2) return notJudged(name, limit, 'too few broker samples to count opened ' + resource);

  const end = input.loadEndSec + opts.settleSec;
  const closed = input.broker.map((s) => ({ t: s.t, v: resource === 'connections' ? s.connectionsClosed : s.channelsClosed }));
  const openedDuring = counterDelta(opened, 0, end);
  // Closed and opened again during the load; a baseline connection closed for good is not churn.
  const cycled = Math.min(openedDuring, counterDelta(closed, 0, end));
  const stillOpen = openedDuring - cycled;
  // A per-second limit counts over the time the counters cover: load start to the end reading.
  const seconds = Math.max(1e-9, Math.min(end, opened[opened.length - 1]!.t));
  const perLimit = limit.perSecond ? cycled / seconds : (cycled / requests) * limit.per;
  const passed = within(perLimit, limit.op, limit.value);
  const perText = limit.perSecond ? `${rate(perLimit)} per second` : `${rate(perLimit)} per ${num(limit.per, 0)} requests`;
  const over = limit.perSecond ? `in ${num(seconds)} s${requests > 0 ? ` and ${num(requests, 0)} requests` : ''}` : `for ${num(requests, 0)} requests`;
  let message = `${Title(resource)} were opened and closed again ${num(cycled, 0)} times ${over} (${perText})`;
  if (stillOpen > 0) message += `; ${num(stillOpen, 0)} more ${stillOpen === 1 ? 'was' : 'were'} opened and stayed open`;
  const perRequest = requests > 0 ? cycled / requests : 0;
  if (!passed) message += perRequest >= 0.5 ? ': the service opens them per request instead of reusing them' : ': they are reopened instead of reused';
  message += countersNote(input, opened, end);
  return { name, passed, limit: limit.text, value: limit.perSecond ? `${rate(perLimit)}/s` : `${rate(perLimit)}/${num(limit.per, 0)}`, message: `${message}.` };
}

/** Counter increase from the last reading at or before `from` to the first at or after `to` (the nearest there are). */
function counterDelta(points: readonly Point[], from: number, to: number): number {
  const before = points.filter((p) => p.t <= from).at(-1) ?? points[0];
  const after = points.find((p) => p.t >= to) ?? points.at(-1);
  return before && after ? Math.max(0, after.v - before.v) : 0;
}

/** Says how holes in the sampling bear on the count: none (the counters span them) unless the readings stop early. */
function countersNote(input: GateInput, opened: readonly Point[], end: number): string {
  const last = opened.at(-1)!.t;
  // A watch keeps only the samples up to its end; a reading within a second of the end is on time.
  if (last < input.loadEndSec - 1) return `; the broker was last read at ${num(last)} s, before the load ended at ${num(input.loadEndSec)} s, so later opens are not counted`;
  const { gaps, seconds } = gapsWithin(gapsOf(input), 0, end);
  if (gaps.length === 0) return '';
  return `; counted from the broker's own counters, which kept counting through the ${num(seconds)} s without broker samples`;
}
