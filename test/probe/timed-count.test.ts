import { describe, expect, it } from 'vitest';
import { TimedCount } from '../../harness/probe/timed-count.ts';

describe('TimedCount', () => {
  it('reads the count as of a past moment', () => {
    const c = new TimedCount();
    for (const t of [1_000, 1_100, 1_200, 1_300]) c.add(t);
    expect(c.asOf(Number.POSITIVE_INFINITY)).toBe(4);
    expect(c.asOf(999)).toBe(0);
    expect(c.asOf(1_100)).toBe(2);
    expect(c.asOf(1_250)).toBe(3);
    expect(c.asOf(5_000)).toBe(4);
  });

  it('stays exact for the last minute after dropping the times of older events', () => {
    const c = new TimedCount();
    // 10 a second for 10 minutes: the times of all but the last minute are folded into a count.
    for (let i = 0; i < 6_000; i++) c.add(i * 100);
    expect(c.asOf(Number.POSITIVE_INFINITY)).toBe(6_000);
    expect(c.asOf(599_900)).toBe(6_000);
    expect(c.asOf(599_850)).toBe(5_999);
    expect(c.asOf(545_000)).toBe(5_451);
  });
});
