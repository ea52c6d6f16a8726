import { describe, expect, it } from 'vitest';
import { callRules } from '../../harness/gate/call-rules.ts';
import { LimitsError, limitsAsText, parseLimitArgs, parseLimitsObject, withDefaults } from '../../harness/gate/limits.ts';
import { resolveLimits } from '../../harness/gate/resolve-limits.ts';
import type { CallSummary } from '../../harness/run-record.ts';

const summary = (p99: number, failed: number): CallSummary => ({
  method: 'PUT', path: '/x', sent: 100, dropped: 0, status: { '200': 100 - failed, '500': failed }, errors: {},
  classes: { accepted: 100 - failed, refused: 0, failed, noAnswer: 0 }, fourXx: 0, fiveXx: failed, latency: { p50: 1, p90: 2, p99, max: p99 },
});

describe('per-call limits', () => {
  it('parses a [call] selector on errors.rate and latency.p99, and only there', () => {
    const l = parseLimitArgs(['latency.p99[item-put]<300ms', 'errors.rate[product-post]<=0.5%', 'latency.p99<2s']);
    expect(l.calls).toEqual([
      { rule: 'latency.p99', call: 'item-put', limit: { text: '<300ms', op: '<', kind: 'duration', ms: 300 } },
      { rule: 'errors.rate', call: 'product-post', limit: { text: '<=0.5%', op: '<=', kind: 'share', fraction: 0.005 } },
    ]);
    expect(l['latency.p99']?.ms).toBe(2000);
    expect(() => parseLimitArgs(['connections.ceiling[x]<=3', 'latency.p99[Bad Name]<1s'])).toThrow(LimitsError);
    expect(limitsAsText(withDefaults(l))['latency.p99[item-put]']).toBe('<300ms');
    // Saved with a run, read back by `rushgate gate`, and overridden call by call.
    const again = resolveLimits({ saved: limitsAsText(withDefaults(l)), args: ['latency.p99[item-put]<100ms'] });
    expect(again.calls?.map((c) => `${c.rule}[${c.call}]${c.limit?.text}`).sort()).toEqual(['errors.rate[product-post]<=0.5%', 'latency.p99[item-put]<100ms']);
    expect(parseLimitsObject({ 'errors.rate[a]': '<1%' }).calls).toHaveLength(1);
  });

  it('judges each call from its own results; a call the run never had fails', () => {
    const calls = { 'item-put': summary(250, 0), 'items-batch': summary(900, 5) };
    const limits = parseLimitArgs(['latency.p99[item-put]<300ms', 'latency.p99[items-batch]<300ms', 'errors.rate[items-batch]<1%', 'errors.rate[nope]<1%']).calls!;
    const rules = callRules(calls, limits, false);
    expect(rules.map((r) => [r.name, r.passed])).toEqual([
      ['latency.p99[item-put]', true],
      ['latency.p99[items-batch]', false],
      ['errors.rate[items-batch]', false],
      ['errors.rate[nope]', false],
    ]);
    expect(rules[2]!.message).toMatch(/^5% of 100 items-batch requests failed/);
    expect(rules[3]!.message).toMatch(/no call named nope \(its calls: item-put, items-batch\)/);
  });
});
