import { describe, expect, it } from 'vitest';
import { parseWorkerStatus } from '../../harness/verify/worker-status.ts';

describe('parseWorkerStatus', () => {
  it('keeps the counts and a bounded sample of waiting ids', () => {
    const sample = Array.from({ length: 30 }, (_, i) => `r-${i}`);
    expect(parseWorkerStatus({ accepted: 10, processed: 7, waiting: 2, withdrawn: 1, duplicates: 0, waitingSample: sample })).toEqual({
      accepted: 10,
      processed: 7,
      waiting: 2,
      withdrawn: 1,
      waitingSample: sample.slice(0, 20),
    });
  });

  it('rejects bodies that are not traceability counts', () => {
    expect(parseWorkerStatus({ accepted: '10', processed: 7, waiting: 2 })).toBeUndefined();
    expect(parseWorkerStatus({ accepted: 1, processed: 1 })).toBeUndefined();
    expect(parseWorkerStatus({ accepted: -1, processed: 1, waiting: 0 })).toBeUndefined();
    expect(parseWorkerStatus(null)).toBeUndefined();
    expect(parseWorkerStatus('ok')).toBeUndefined();
  });
});
