import { describe, expect, it } from 'vitest';
import { checkAbort } from '../../harness/gate/abort.ts';
import { parseLimitArgs } from '../../harness/gate/limits.ts';
import { leaky, run, shared, stepLadder, euMorning } from './timeline.ts';

/** The run as the harness would see it at `nowSec`. */
function upTo(input: ReturnType<typeof run>, nowSec: number) {
  return { ...input, broker: input.broker.filter((s) => s.t <= nowSec), load: input.load.filter((s) => s.t < Math.floor(nowSec)) };
}

describe('checkAbort', () => {
  it('stops a leaky run once it has been over the ceiling for 5 s, well within 15 s of load start', () => {
    const input = run({ phases: euMorning(100), connections: leaky(1) });
    let firedAt: number | undefined;
    let decision = null;
    for (let now = 0; now <= 30 && !decision; now += 0.25) {
      decision = checkAbort(upTo(input, now), {}, now);
      if (decision) firedAt = now;
    }
    expect(decision?.rule).toBe('connections.ceiling');
    expect(decision?.reason).toMatch(/^Connections stayed above the ceiling of 2 for 5 s \(now \d+, limit <=baseline\+2\/unit; RabbitMQ's guidance/);
    expect(firedAt).toBeGreaterThanOrEqual(5);
    expect(firedAt).toBeLessThan(15);
  });

  it('never stops the shared service', () => {
    const input = run({ phases: euMorning(100), connections: shared(2), units: 2 });
    for (let now = 0; now <= input.loadEndSec; now += 0.5) expect(checkAbort(upTo(input, now), {}, now)).toBeNull();
  });

  it('does not stop for a level that dropped back before 5 s', () => {
    const input = run({ phases: stepLadder(), connections: shared(1) });
    for (const s of input.broker) if (s.t >= 10 && s.t < 14) s.connections = 6;
    expect(checkAbort(upTo(input, 14), {}, 14)).toBeNull();
    expect(checkAbort(upTo(input, 13.75), parseLimitArgs(['abort.after=3s']), 13.75)?.rule).toBe('connections.ceiling');
  });

  it('stops when failures already exceed the error limit for the whole planned run', () => {
    const input = run({
      phases: stepLadder(),
      connections: shared(1),
      perSecond: (t, n) => (t < 6 ? { status: { '503': n } } : {}),
    });
    // 60 failures of ~1,500 planned (4%) > 1%: certain even if everything after succeeds.
    const d = checkAbort(upTo(input, 6), {}, 6);
    expect(d?.rule).toBe('errors.rate');
    expect(d?.reason).toMatch(/^60 requests already failed/);
    // 3 failures are not yet certain to fail 1%.
    const early = run({ phases: stepLadder(), connections: shared(1), perSecond: (t) => (t === 0 ? { status: { '503': 3, '200': 7 } } : {}) });
    expect(checkAbort(upTo(early, 1), {}, 1)).toBeNull();
  });

  it('respects rules that are off', () => {
    const input = run({ phases: euMorning(100), connections: leaky(1) });
    expect(checkAbort(upTo(input, 20), parseLimitArgs(['connections.ceiling=off', 'channels.ceiling=off']), 20)).toBeNull();
  });
});
