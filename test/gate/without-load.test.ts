// The gate without the offered load (rushgate watch): what it judges over time, and what it honestly
// leaves unjudged instead of passing or failing it silently. Plus the per-second churn limit.
import { describe, expect, it } from 'vitest';
import { evaluateGate, verdictLines } from '../../harness/gate/evaluate.ts';
import type { GateInput } from '../../harness/gate/input.ts';
import { parseLimitArgs } from '../../harness/gate/limits.ts';
import type { BrokerSample } from '../../harness/run-record.ts';

const WATCH_CHURN = parseLimitArgs(['connections.churn<=1/s', 'channels.churn<=1/s']);

/** A watch: samples every 250 ms from -2 s (baseline) to `durationSec`; no load seconds at all. */
function watch(durationSec: number, open: (t: number) => number, opened: (t: number) => number = open): GateInput {
  const broker: BrokerSample[] = [];
  for (let t = -2; t <= durationSec + 1e-9; t += 0.25) {
    const tt = Number(t.toFixed(2));
    const o = open(tt);
    const n = opened(tt);
    broker.push({ t: tt, connections: o, channels: o, connectionsOpened: n, connectionsClosed: n - o, channelsOpened: n, channelsClosed: n - o, harnessConnections: 0, harnessChannels: 0 });
  }
  return { load: [], broker, units: 1, phases: [], loadEndSec: durationSec };
}

const byName = (v: ReturnType<typeof evaluateGate>, name: string) => v.rules.find((r) => r.name === name)!;

describe('evaluateGate with an unknown load', () => {
  it('a driven-run verdict on an empty load fails every rule that needs requests (why the watch needs its own mode)', () => {
    const v = evaluateGate(watch(12, () => 2));
    const notJudged = v.rules.filter((r) => r.message.startsWith('Not judged')).map((r) => r.name);
    // Residue too: a watch has no samples after its "load" ends.
    expect(notJudged).toEqual(['connections.growth', 'connections.residue', 'connections.churn', 'channels.growth', 'channels.residue', 'channels.churn', 'errors.rate', 'latency.p99', 'load.dropped']);
    expect(v.passed).toBe(false);
  });

  it('an idle broker passes; errors, latency and dropped are shown as not judged and do not decide', () => {
    const v = evaluateGate(watch(12, () => 2), WATCH_CHURN, { load: 'unknown' });
    expect(v.passed).toBe(true);
    const skipped = v.rules.filter((r) => r.judged === false);
    expect(skipped.map((r) => r.name)).toEqual(['errors.rate', 'latency.p99', 'load.dropped']);
    for (const r of skipped) {
      expect(r.passed).toBe(true);
      expect(r.value).toBe('–');
      expect(r.message).toMatch(/^Not judged: .*does not decide the verdict\.$/);
    }
    expect(byName(v, 'connections.churn').value).toBe('0/s');
    expect(byName(v, 'connections.residue').message).toMatch(/at the end of the watch/);
    expect(verdictLines(v).filter((l) => l.startsWith('n/a:'))).toHaveLength(3);
  });

  it('connections opened during the watch and held fail the ceiling and the end level, not growth', () => {
    const v = evaluateGate(watch(12, (t) => (t >= 3 ? 7 : 2)), WATCH_CHURN, { load: 'unknown' });
    expect(v.passed).toBe(false);
    expect(byName(v, 'connections.ceiling')).toMatchObject({ passed: false, value: '7' });
    expect(byName(v, 'connections.residue').passed).toBe(false);
    // They arrived in the first half and stayed: a step, not a climb.
    expect(byName(v, 'connections.growth').passed).toBe(true);
    expect(byName(v, 'connections.churn').passed).toBe(true);
  });

  it('a steady leak fails growth over time, with its pace per minute', () => {
    const v = evaluateGate(watch(20, (t) => 2 + Math.max(0, Math.floor(t))), WATCH_CHURN, { load: 'unknown' });
    const growth = byName(v, 'connections.growth');
    expect(growth.passed).toBe(false);
    expect(growth.message).toMatch(/kept rising over the watch.*about (59|6\d)(\.\d)? per minute/);
  });

  it('churn per second: 5 opened and closed again every second fails <=1/s; a per-request limit is not judged', () => {
    const input = watch(10, () => 2, (t) => 2 + Math.max(0, 5 * t));
    const v = evaluateGate(input, WATCH_CHURN, { load: 'unknown' });
    expect(byName(v, 'connections.churn')).toMatchObject({ passed: false, value: '5/s', limit: '<=1/s' });
    const perRequest = evaluateGate(input, {}, { load: 'unknown' });
    expect(byName(perRequest, 'connections.churn')).toMatchObject({ passed: true, judged: false });
    expect(byName(perRequest, 'connections.churn').message).toMatch(/connections\.churn<=N\/s/);
  });
});

describe('per-second churn limit', () => {
  it('parses N/s and keeps the text', () => {
    expect(parseLimitArgs(['connections.churn<=2.5/s'])['connections.churn']).toMatchObject({ kind: 'rate', value: 2.5, per: 1, perSecond: true, text: '<=2.5/s' });
    expect(() => parseLimitArgs(['connections.churn<=2/min'])).toThrow(/per second such as <=1\/s/);
  });

  it('also judges a driven run per second of load', () => {
    // 10 s of 20 req/s, 3 connections opened and closed again every second.
    const load = Array.from({ length: 10 }, (_, t) => ({
      t, clock: '00:00', phase: 'p', scheduled: 20, sent: 20, completed: 20, dropped: 0, status: { '200': 20 }, errors: {}, latency: { p50: 1, p90: 2, p99: 3, max: 4 },
    }));
    const input = { ...watch(10, () => 1, (t) => 1 + Math.max(0, 3 * t)), load, loadEndSec: 10 };
    const v = evaluateGate(input, parseLimitArgs(['connections.churn<2/s', 'residue.settle=0s']));
    expect(byName(v, 'connections.churn')).toMatchObject({ passed: false, value: '3/s' });
    expect(byName(v, 'connections.churn').message).toMatch(/30 times in 10 s and 200 requests/);
  });
});

describe('channels.per-connection without target connections', () => {
  it('passes an idle broker (no connection, no channel), and is not judged without samples', () => {
    const idle = evaluateGate(watch(8, () => 0), WATCH_CHURN, { load: 'unknown' });
    expect(byName(idle, 'channels.per-connection')).toMatchObject({ passed: true, value: '0' });
    const none = watch(8, () => 0);
    none.broker = none.broker.filter((s) => s.t < 0);
    expect(byName(evaluateGate(none, WATCH_CHURN, { load: 'unknown' }), 'channels.per-connection').message).toMatch(/^Not judged/);
  });
});
