import { describe, expect, it } from 'vitest';
import { ABORT_SETTLE_SEC, afterLoad } from '../../harness/run/after-load.ts';

describe('afterLoad', () => {
  it('keeps the whole cool-down when the load ran its course', () => {
    expect(afterLoad(false, 5)).toEqual({ sampleSec: 5, drain: { quietMs: 1_000, timeoutMs: 5_000 }, workerStatusTimeoutMs: 3_000 });
    expect(afterLoad(false, 30).drain.timeoutMs).toBe(30_000);
  });

  it('settles briefly after an abort, and never longer than the cool-down asked for', () => {
    const aborted = afterLoad(true, 5);
    expect(aborted.sampleSec).toBe(ABORT_SETTLE_SEC);
    expect(aborted.drain.timeoutMs).toBeLessThanOrEqual(1_000);
    expect(aborted.workerStatusTimeoutMs).toBeLessThan(afterLoad(false, 5).workerStatusTimeoutMs);
    expect(afterLoad(true, 0).sampleSec).toBe(0);
  });
});
