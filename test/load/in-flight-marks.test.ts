import { describe, expect, it } from 'vitest';
import { InFlightMarks } from '../../harness/load/in-flight-marks.ts';

describe('the per-second high-water mark of requests in flight', () => {
  it('is the most in flight at once in each second, counting what a second began with', () => {
    const m = new InFlightMarks();
    // Second 0: three sent, one answered. Second 1: one answered, then two sent (back to 3).
    for (const n of [1, 2, 3, 2]) m.change(0, n);
    m.change(1, 1);
    m.change(1, 2);
    m.change(1, 3);
    expect(m.take(0)).toBe(3);
    // Second 1 began with 2 in flight, fell to 1 and rose to 3.
    expect(m.take(1)).toBe(3);
  });

  it('gives a second with no send and no answer the level it held throughout', () => {
    const m = new InFlightMarks();
    m.change(0, 5);
    // Nothing in seconds 1 and 2 (a slow service); the 5 are answered in second 3.
    for (const n of [4, 3, 2, 1, 0]) m.change(3, n);
    expect([m.take(0), m.take(1), m.take(2), m.take(3)]).toEqual([5, 5, 5, 5]);
    // Still nothing in flight after the last answer.
    expect(m.take(4)).toBe(0);
  });

  it('fills a quiet second taken before the next change, and forgets taken seconds', () => {
    const m = new InFlightMarks();
    m.change(0, 2);
    expect(m.take(0)).toBe(2);
    expect(m.take(1)).toBe(2);
    m.change(2, 1);
    expect(m.take(2)).toBe(2);
    expect(m.take(3)).toBe(1);
  });
});
