// connections.growth / channels.growth: the count must be bounded. A reading of the gate model
// (model.ts): bounded passes, whatever the size or however lazily the pool filled; a leak, a count
// that follows the offered load, a level stopped by the broker's connection_max, and a level still
// rising when the load ended fail, each with the numbers that showed it. The limit is the rise a
// level may still make after it first came near its bound (noise, a reconnect), e.g. `<=1`.

import type { RuleResult } from '../run-record.ts';
import { notJudged } from './ceiling.ts';
import { atRps, num, rate } from './format.ts';
import { Title, totalSent, type GateInput } from './input.ts';
import type { CountLimit } from './limits.ts';
import { withGaps } from './judged-window.ts';
import { MIN_PROOF_SHARE, type ResourceModel } from './model.ts';

export function growthRule(input: GateInput, model: ResourceModel, limit: CountLimit): RuleResult {
  const name = `${model.resource}.growth`;
  if (totalSent(input.load) === 0) return notJudged(name, limit, 'no requests were sent');
  if (model.shape === 'unknown') return notJudged(name, limit, 'fewer than 4 broker samples were taken during the load');
  const R = Title(model.resource);
  const allowText = `allowed rise: ${num(model.allowance)}`;
  const base = { name, limit: limit.text };
  const judged = (r: Omit<RuleResult, 'name' | 'limit'>) => withGaps({ ...base, ...r }, model.gaps, 0, input.loadEndSec);
  const h = model.secondHalf;

  switch (model.shape) {
    case 'capped': {
      // A level held flat at connection_max is the broker refusing more, not the service holding back
      // (channels ride on those connections).
      return judged({
        passed: false,
        value: `${num(model.peak.level)} (capped)`,
        message:
          `${R} rose to ${num(model.peak.level)} while connections reached the broker's connection_max of ${num(input.connectionMax ?? NaN)}: ` +
          `the broker stopped them, not the service, so they were not bounded (${allowText}).`,
      });
    }
    case 'follows-load': {
      const f = model.fall!;
      return judged({
        passed: false,
        value: `-${num(f.drop)} with load`,
        message:
          `${R} rose and fell with the offered load: ${num(f.high)} ${atRps(f.highRps)}, then ${num(f.low)} ${atRps(f.lowRps)}, ` +
          `so they are opened per request instead of kept in a bounded pool (${f.mid !== undefined ? `${num(f.mid)} at mid load, so no bound was reached; ` : ''}${allowText}).`,
      });
    }
    case 'leak':
      return judged({
        passed: false,
        value: `+${num(h.to - h.from)}`,
        message:
          `${R} kept rising with requests served, also at loads already served: from ${num(h.from)} after half of the requests to ${num(h.to)} ` +
          `over the last ${num(h.requests, 0)} requests (about ${rate(h.per1000)} per 1,000), and ${proofText(model)}, so they leak instead of staying bounded (${allowText}).`,
      });
    case 'still-rising':
      return judged({
        passed: false,
        value: `${num(model.peak.level)}, not shown bounded`,
        message:
          `${R} were not shown to be bounded: each rise came with a new high of the load${model.concurrencyRise ? ' or of the requests in flight' : ''}, up to ${num(model.reached.level)} at ${num(model.reached.t)} s${concurrencyText(model, ' (', ')')}, ` +
          `and ${proofText(model)} (about ${rate(h.per1000)} per 1,000 over the second half of the requests; ${allowText}); ` +
          // Not a leak either: a pool that filled at the top load needs that load to last to be told from one.
          `a longer --duration gives the top load time to show whether it holds.`,
      });
    default: {
      const r = model.reached;
      const level = r.level === model.bound ? 'it' : `between ${num(r.level)} and ${num(model.bound!)}`;
      return judged({
        passed: true,
        value: `bounded at ${num(model.bound!)}`,
        message:
          `${R} stayed bounded at ${num(model.bound!)}: from ${num(r.t)} s on (${atRps(r.rps)}) they held ${level} over the next ` +
          `${num(model.heldAfter.requests, 0)} requests, ${num(model.heldAfter.requestsAtLoad, 0)} of them ${atLoadText(model)}${concurrencyText(model, '; ', '')} (${allowText}).`,
      });
    }
  }
}

/**
 * The rise that only the service's concurrency explained (the offered rate had been served before), in
 * numbers: a starved service's lazy pool fills as its requests in flight reach new highs.
 */
function concurrencyText(m: ResourceModel, before: string, after: string): string {
  const c = m.concurrencyRise;
  if (!c) return '';
  return `${before}they rose to ${num(c.level)} as requests in flight reached a new high of ${num(c.inFlight)} at ${num(c.t)} s, at loads already served${after}`;
}

/** Which requests counted as coming at the load the level was reached at. */
function atLoadText(m: ResourceModel): string {
  return m.reached.inFlight === undefined ? 'at that load or higher' : `at that load or higher, or with ${num(0.9 * m.reached.inFlight, 0)} or more requests in flight`;
}

/** Why the hold after the level was reached does not show a bound, in numbers. */
function proofText(m: ResourceModel): string {
  const h = m.heldAfter;
  // A handful of requests after the last rise is no hold at all.
  if (h.requests < 0.05 * (h.requests + m.reached.requests)) return 'they were still rising when the load ended';
  if (h.requests < m.proofNeeded.inAll) {
    return `the load ended ${num(h.requests, 0)} requests after it reached ${num(m.reached.level)}, fewer than the ${num(m.proofNeeded.inAll, 0)} that would show it holds at the pace it climbed`;
  }
  if (h.requestsAtLoad < m.proofNeeded.atLoad) {
    return `only ${num(h.requestsAtLoad, 0)} requests came after it reached ${num(m.reached.level)} ${atLoadText(m)}, fewer than the ${num(m.proofNeeded.atLoad, 0)} (${num(MIN_PROOF_SHARE * 100)}% of the run) that would show it holds`;
  }
  // The requests were there but came too fast to see: a level is a level only once it has held a while.
  return `it was seen holding ${num(m.reached.level)} for only ${num(h.seconds)} s before the load ended, under the ${num(2 * m.holdSec)} s that show a level holds`;
}
