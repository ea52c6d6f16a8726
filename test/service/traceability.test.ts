import { describe, expect, it } from 'vitest';
import { TraceStore } from '../../service/traceability.ts';

describe('traceability statuses', () => {
  it('counts accepted -> processed, and leaves failed publishes waiting', () => {
    const store = new TraceStore();
    for (const id of ['a', 'b', 'c', 'd']) store.accepted(id);
    store.processed('a');
    store.processed('b');
    expect(store.counts()).toEqual({ accepted: 4, processed: 2, waiting: 2, withdrawn: 0, duplicates: 0, waitingSample: ['c', 'd'] });
  });

  it('lets a delivery that beats its "accepted" note win, and counts redeliveries as duplicates', () => {
    const store = new TraceStore();
    store.processed('x');
    store.accepted('x');
    store.processed('x');
    expect(store.counts()).toMatchObject({ accepted: 1, processed: 1, waiting: 0, duplicates: 1 });
  });

  it('withdraws events the service knows were never published, unless they arrive after all', () => {
    const store = new TraceStore();
    store.accepted('w');
    store.accepted('v');
    store.withdrawn('w');
    store.withdrawn('v');
    expect(store.counts()).toMatchObject({ accepted: 2, waiting: 0, withdrawn: 2 });
    store.processed('v');
    expect(store.counts()).toMatchObject({ accepted: 2, processed: 1, waiting: 0, withdrawn: 1 });
  });
});
