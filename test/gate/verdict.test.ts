import { describe, expect, it } from 'vitest';
import { evaluateGate, verdictLines } from '../../harness/gate/evaluate.ts';
import { parseLimitArgs } from '../../harness/gate/limits.ts';
import { euMorning, lazyPool, leaky, perRequest, rule, run, shared, stepLadder } from './timeline.ts';

describe('default limits on the three reference publishers', () => {
  for (const [shape, phases] of Object.entries({ 'step ladder': stepLadder(), 'eu-morning': euMorning(100) })) {
    it(`${shape}: shared (one connection per unit) passes every rule`, () => {
      const v = evaluateGate(run({ phases, connections: shared(2), units: 2 }));
      expect(v.rules.filter((r) => !r.passed)).toEqual([]);
      expect(v.passed).toBe(true);
      expect(v.rules.map((r) => r.name)).toEqual([
        'connections.ceiling',
        'connections.growth',
        'connections.residue',
        'connections.churn',
        'channels.per-connection',
        'channels.growth',
        'channels.residue',
        'channels.churn',
        'errors.rate',
        'latency.p99',
        'load.dropped',
      ]);
    });

    it(`${shape}: leaky (new connection per request, never closed) fails ceiling, growth and residue`, () => {
      const v = evaluateGate(run({ phases, connections: leaky(1) }));
      expect(v.passed).toBe(false);
      for (const name of ['connections.ceiling', 'connections.growth', 'connections.residue']) expect(rule(v, name).passed, name).toBe(false);
    });

    it(`${shape}: per-request (open + close per request) fails churn but passes residue`, () => {
      const v = evaluateGate(run({ phases, connections: perRequest(20), seed: 2 }));
      expect(v.passed).toBe(false);
      const churn = rule(v, 'connections.churn');
      expect(churn.passed).toBe(false);
      expect(churn.message).toMatch(/opens them per request instead of reusing them/);
      expect(Number(churn.value.split('/')[0]!.replace(/,/g, ''))).toBeGreaterThan(990);
      expect(rule(v, 'connections.residue').passed).toBe(true);
    });
  }
});

describe('connections.ceiling', () => {
  it('fails when the held peak exceeds baseline + 2 per unit, naming the peak, the doctrine and the time above', () => {
    const v = evaluateGate(run({ phases: stepLadder(), connections: lazyPool(6, 10), units: 2 }));
    const r = rule(v, 'connections.ceiling');
    expect(r.passed).toBe(false);
    expect(r.value).toBe('6');
    expect(r.limit).toBe('<=baseline+2/unit');
    expect(r.message).toMatch(
      /^Connections rose to 6, above the ceiling of 4 \(baseline 0 \+ 2 per unit x 2 units; RabbitMQ's guidance: one long-lived connection for publishing and one for consuming per process\), and stayed above it for \d+(\.\d)? s\.$/,
    );
    // The pool itself is bounded: only the ceiling fails, and residue judges it against its bound.
    expect(rule(v, 'connections.growth').passed).toBe(true);
    expect(rule(v, 'connections.residue').passed).toBe(true);
  });

  it('passes a larger lazy pool when the user raises the ceiling; residue stays judged against the bound', () => {
    const input = run({ phases: stepLadder(), connections: lazyPool(6, 10), units: 2 });
    const v = evaluateGate(input, parseLimitArgs(['connections.ceiling=baseline+3/unit']));
    expect(rule(v, 'connections.ceiling').passed).toBe(true);
    expect(rule(v, 'connections.ceiling').limit).toBe('baseline+3/unit');
    expect(rule(v, 'connections.residue').passed).toBe(true);
    expect(rule(v, 'connections.residue').limit).toBe('<=bound');
  });

  it('names where the unit count came from when the broker told it', () => {
    const input = { ...run({ phases: stepLadder(), connections: lazyPool(6, 10), units: 3 }), unitsSource: 'connection-names' };
    expect(rule(evaluateGate(input), 'connections.ceiling').message).toMatch(/2 per unit x 3 units counted from connection names/);
  });

  it('ignores a spike shorter than the hold time, and says so', () => {
    const spiky = run({ phases: stepLadder(), connections: shared(1) });
    spiky.broker[40]!.connections = 9; // one 250 ms sample
    const r = rule(evaluateGate(spiky), 'connections.ceiling');
    expect(r.passed).toBe(true);
    expect(r.message).toMatch(/a spike to 9 lasted under 1 s and was not counted/);
  });

  it('counts a level that holds for the hold time', () => {
    const held = run({ phases: stepLadder(), connections: shared(1) });
    for (let i = 40; i < 46; i++) held.broker[i]!.connections = 9; // 1.5 s
    expect(rule(evaluateGate(held), 'connections.ceiling').passed).toBe(false);
  });

  it('accepts an absolute ceiling and a strict comparison', () => {
    const input = run({ phases: stepLadder(), connections: lazyPool(4, 10) });
    expect(rule(evaluateGate(input, parseLimitArgs(['connections.ceiling<=4'])), 'connections.ceiling').passed).toBe(true);
    expect(rule(evaluateGate(input, parseLimitArgs(['connections.ceiling<4'])), 'connections.ceiling').passed).toBe(false);
  });

  it('uses the given baseline over the pre-load samples', () => {
    const input = run({ phases: stepLadder(), connections: shared(3), units: 1 });
    input.baseline = { connections: 0, channels: 0 }; // the 3 held from the start are counted against 2/unit
    const r = rule(evaluateGate(input), 'connections.ceiling');
    expect(r.passed).toBe(false);
    expect(r.message).toMatch(/baseline 0/);
  });

  it('fails, not passes, when there are no samples to judge', () => {
    const input = run({ phases: stepLadder(), connections: shared(1) });
    input.broker = [];
    const v = evaluateGate(input);
    expect(rule(v, 'connections.ceiling').passed).toBe(false);
    expect(rule(v, 'connections.ceiling').message).toMatch(/^Not judged: no broker samples/);
    expect(v.passed).toBe(false);
  });
});

describe('connections.residue', () => {
  it('fails a leak and says how many were left open', () => {
    const r = rule(evaluateGate(run({ phases: euMorning(20), connections: leaky(300, 1) })), 'connections.residue');
    expect(r.passed).toBe(false);
    expect(r.message).toMatch(/^Connections were still at 3 when read 4 s after the load ended: 2 above the idle baseline of 1, and no bound held during the load \(see connections\.growth\), so they were left open\.$/);
    // A hard limit is still available, and judged against the baseline.
    const hard = rule(evaluateGate(run({ phases: euMorning(20), connections: leaky(300, 1) }), parseLimitArgs(['connections.residue<=baseline+1'])), 'connections.residue');
    expect(hard.message).toMatch(/where 2 are allowed \(baseline 1 \+ 1\), so they were left open\.$/);
  });

  it('reads the level after the settle time, not while per-request connections are still closing', () => {
    const input = run({ phases: stepLadder(), connections: perRequest(20) });
    const after = input.broker.filter((s) => s.t > input.loadEndSec && s.t < input.loadEndSec + 1);
    for (const s of after) s.connections = 5; // still closing in the first second
    expect(rule(evaluateGate(input), 'connections.residue').passed).toBe(true);
  });

  it('is not judged without samples after the load', () => {
    const input = run({ phases: stepLadder(), connections: shared(1), coolDownSec: 0 });
    input.broker = input.broker.filter((s) => s.t <= input.loadEndSec);
    expect(rule(evaluateGate(input), 'connections.residue').message).toMatch(/^Not judged/);
  });
});

describe('connections.churn', () => {
  it('does not count a pool filling up as churn', () => {
    const r = rule(evaluateGate(run({ phases: stepLadder(), connections: lazyPool(6, 20) })), 'connections.churn');
    expect(r.passed).toBe(true);
    expect(r.value).toBe('0/1,000');
    expect(r.message).toMatch(/6 more were opened and stayed open/);
  });

  it('counts reconnects: a shared connection replaced every 100 requests fails 5/1000 and passes 20/1000', () => {
    const reconnecting = run({
      phases: stepLadder(),
      connections: (c) => ({ open: 1, opened: 1 + Math.floor(c.requests / 100) }),
    });
    const strict = rule(evaluateGate(reconnecting), 'connections.churn');
    expect(strict.passed).toBe(false);
    expect(strict.value).toBe('10/1,000');
    expect(strict.message).toMatch(/reopened instead of reused/);
    expect(rule(evaluateGate(reconnecting, parseLimitArgs(['connections.churn<20/1000'])), 'connections.churn').passed).toBe(true);
  });

  it('judges channels separately', () => {
    const v = evaluateGate(run({ phases: stepLadder(), connections: shared(1), channels: perRequest(5) }));
    expect(rule(v, 'connections.churn').passed).toBe(true);
    expect(rule(v, 'channels.churn').passed).toBe(false);
    expect(rule(v, 'channels.churn').message).toMatch(/^Channels were opened and closed again/);
  });
});

describe('errors.rate, latency.p99, load.dropped', () => {
  const failing = run({
    phases: stepLadder(),
    connections: shared(1),
    perSecond: (t, n) =>
      t >= 30 && t < 40
        ? { status: { '200': n - 10, '503': 6 }, errors: { timeout: 3, reset: 1 }, latency: { p50: 400, p90: 2000, p99: 5000, max: 9000 }, dropped: 2 }
        : {},
  });

  it('errors.rate counts 5xx and unanswered requests', () => {
    const r = rule(evaluateGate(failing), 'errors.rate');
    expect(r.passed).toBe(false);
    expect(r.message).toMatch(/^[\d.]+% of 1,\d{3} requests failed: 60 answered 5xx, 40 got no answer \(timeout 30, reset 10\), more than the 1% allowed\.$/);
    expect(rule(evaluateGate(failing, parseLimitArgs(['errors.rate<10%'])), 'errors.rate').passed).toBe(true);
  });

  it('4xx do not count as errors', () => {
    const clientErrors = run({ phases: stepLadder(), connections: shared(1), perSecond: (_t, n) => ({ status: { '200': n - 2, '400': 2 } }) });
    expect(rule(evaluateGate(clientErrors), 'errors.rate').value).toBe('0%');
  });

  it('latency.p99 fails when a slow stretch holds more than 1% of responses', () => {
    const r = rule(evaluateGate(failing), 'latency.p99');
    expect(r.passed).toBe(false);
    expect(r.message).toMatch(/^The slowest 1% of responses took .* \(estimated from per-second percentiles\), over the 1,000 ms limit\.$/);
    const ok = rule(evaluateGate(run({ phases: stepLadder(), connections: shared(1) })), 'latency.p99');
    expect(ok.passed).toBe(true);
    expect(ok.value).toBe('14 ms');
  });

  it('latency.p99 prefers the run histogram when given', () => {
    const input = { ...failing, latency: { p99: 120 } };
    const r = rule(evaluateGate(input), 'latency.p99');
    expect(r.passed).toBe(true);
    expect(r.value).toBe('120 ms');
    expect(rule(evaluateGate(input, parseLimitArgs(['latency.p99<100ms'])), 'latency.p99').passed).toBe(false);
  });

  it('load.dropped reports the share the driver could not send', () => {
    const r = rule(evaluateGate(failing), 'load.dropped');
    expect(r.value).toBe('1.33%');
    expect(r.passed).toBe(false);
    expect(r.message).toMatch(/^20 of 1,500 scheduled requests \(1\.33%\) were not sent/);
    expect(rule(evaluateGate(failing, parseLimitArgs(['load.dropped<2%'])), 'load.dropped').passed).toBe(true);
  });
});

describe('verdict', () => {
  it('prints warn: for a finding that is a warning; it does not fail the verdict', () => {
    const v = { passed: true, rules: [{ name: 'integrity.refused-published', passed: true, warning: true as const, limit: 'shown, no limit', value: '3', message: 'Three were refused yet published.' }] };
    expect(verdictLines(v)).toEqual(['warn: integrity.refused-published 3 (limit shown, no limit) — Three were refused yet published.']);
  });

  it('drops rules turned off and prints ok:/fail: lines', () => {
    const v = evaluateGate(run({ phases: stepLadder(), connections: perRequest(20) }), parseLimitArgs(['connections.churn=off', 'channels.churn=off']));
    expect(v.rules.some((r) => r.name.endsWith('.churn'))).toBe(false);
    const lines = verdictLines(v);
    expect(lines.every((l) => /^(ok:  |fail:) \S+ /.test(l))).toBe(true);
  });

  it('carries an abort into the verdict', () => {
    const input = { ...run({ phases: stepLadder(), connections: leaky(1) }), aborted: { t: 6, rule: 'connections.ceiling', reason: 'x' } };
    expect(evaluateGate(input).aborted).toEqual({ t: 6, rule: 'connections.ceiling', reason: 'x' });
  });

  it('every message is one sentence that starts with what happened', () => {
    const v = evaluateGate(run({ phases: euMorning(100), connections: leaky(1) }));
    for (const r of v.rules) {
      expect(r.message, r.name).toMatch(/^[A-Z0-9][^\n]*\.$/);
      expect(r.message.split(/\.\s+[A-Z]/).length, r.message).toBe(1);
    }
  });
});
