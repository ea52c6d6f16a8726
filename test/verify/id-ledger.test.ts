import { describe, expect, it } from 'vitest';
import { IdLedger } from '../../harness/verify/id-ledger.ts';
import { requestIdFor } from '../../scenarios/payloads.ts';

const RUN = 'ab12';
const id = (seq: number) => requestIdFor(RUN, seq);
const context = { exchange: 'rushgate.items', routingKey: '#' };

describe('IdLedger reconciliation', () => {
  it('finds exactly the 2xx requests whose id never arrived, in sequence order', () => {
    const ledger = new IdLedger({ runId: RUN, expectedRequests: 16 });
    for (let seq = 0; seq < 100; seq++) {
      ledger.recordOutcome(seq, 200);
      if (seq % 10 !== 7) ledger.recordMessage(id(seq));
    }
    const report = ledger.reconcile(context);
    expect(report.sent).toBe(100);
    expect(report.acknowledged).toBe(100);
    expect(report.arrived).toBe(90);
    expect(report.acknowledgedButLost.count).toBe(10);
    expect(report.acknowledgedButLost.samples).toEqual([7, 17, 27, 37, 47, 57, 67, 77, 87, 97].map(id));
    expect(report.refusedButPublished.count).toBe(0);
    expect(report.duplicates.count).toBe(0);
  });

  it('accepts messages that arrive before the outcome is recorded (publish precedes the response)', () => {
    const ledger = new IdLedger({ runId: RUN });
    ledger.recordMessage(id(5));
    ledger.recordOutcome(5, 201);
    expect(ledger.reconcile(context).acknowledgedButLost.count).toBe(0);
  });

  it('splits refused-but-published by status class and no-response kind', () => {
    const ledger = new IdLedger({ runId: RUN });
    const outcomes: Array<[number, number, string?]> = [
      [0, 503],
      [1, 503],
      [2, 400],
      [3, 0, 'timeout'],
      [4, 0, 'reset'],
      [5, 0, 'weird-kind'],
      [6, 500], // refused and not published: fine
      [7, 200],
    ];
    for (const [seq, status, kind] of outcomes) ledger.recordOutcome(seq, status, kind);
    for (const seq of [0, 1, 2, 3, 4, 5, 7]) ledger.recordMessage(id(seq));
    const report = ledger.reconcile(context);
    expect(report.sent).toBe(8);
    expect(report.acknowledged).toBe(1);
    expect(report.refused).toBe(4);
    expect(report.noResponse).toBe(3);
    expect(report.refusedButPublished.count).toBe(6);
    expect(report.refusedButPublished.byClass).toEqual({ '5xx': 2, '4xx': 1, timeout: 1, reset: 1, other: 1 });
    expect(report.refusedButPublished.samples[0]).toEqual({ id: id(0), outcome: '503' });
    expect(report.refusedButPublished.samples[3]).toEqual({ id: id(3), outcome: 'timeout' });
  });

  it('counts duplicates by id and by extra copies', () => {
    const ledger = new IdLedger({ runId: RUN });
    for (let seq = 0; seq < 4; seq++) ledger.recordOutcome(seq, 200);
    for (const seq of [0, 1, 1, 2, 2, 2, 3]) ledger.recordMessage(id(seq));
    const report = ledger.reconcile(context);
    expect(report.duplicates).toEqual({
      count: 2,
      extraMessages: 3,
      samples: [
        { id: id(1), copies: 2 },
        { id: id(2), copies: 3 },
      ],
    });
    expect(report.arrived).toBe(4);
    expect(report.messages).toBe(7);
  });

  it('does not count a redelivery of an id it already saw as a duplicate', () => {
    const ledger = new IdLedger({ runId: RUN });
    for (let seq = 0; seq < 3; seq++) ledger.recordOutcome(seq, 200);
    ledger.recordMessage(id(0));
    ledger.recordRedelivery(id(0)); // the ack was lost with the connection
    ledger.recordRedelivery(id(1)); // delivered before, but never processed: first sighting
    ledger.recordMessage(id(2));
    ledger.recordMessage(id(2)); // a genuine second publish
    const report = ledger.reconcile(context);
    expect(report.arrived).toBe(3);
    expect(report.duplicates.samples).toEqual([{ id: id(2), copies: 2 }]);
    expect(report.messages).toBe(5);
  });

  it('counts foreign, id-less and unsolicited messages without mixing them into the run', () => {
    const ledger = new IdLedger({ runId: RUN });
    ledger.recordOutcome(0, 200);
    ledger.recordMessage(id(0));
    ledger.recordMessage('cd34-0'); // another run
    ledger.recordMessage('no-number-here');
    ledger.recordMessage(undefined);
    ledger.recordMessage('');
    ledger.recordMessage(id(1 << 30)); // beyond maxSeq: must not allocate gigabytes
    ledger.recordMessage(id(9)); // this run's id, never sent
    const report = ledger.reconcile(context);
    expect(report.foreign.count).toBe(5);
    expect(report.foreign.withoutId).toBe(2);
    expect(report.foreign.samples).toEqual(['cd34-0', 'no-number-here', id(1 << 30)]);
    expect(report.unsolicited).toEqual({ count: 1, samples: [id(9)] });
    expect(report.sent).toBe(1);
    expect(report.arrived).toBe(2);
    expect(ledger.bytes()).toBeLessThan(1_000_000);
  });

  it('caps samples at 20 while counting everything', () => {
    const ledger = new IdLedger({ runId: RUN });
    for (let seq = 0; seq < 5000; seq++) ledger.recordOutcome(seq, 200);
    const report = ledger.reconcile(context);
    expect(report.acknowledgedButLost.count).toBe(5000);
    expect(report.acknowledgedButLost.samples).toHaveLength(20);
  });

  it('grows past its initial capacity without losing what it recorded', () => {
    const ledger = new IdLedger({ runId: RUN, expectedRequests: 10 });
    ledger.recordOutcome(3, 200);
    ledger.recordMessage(id(3));
    ledger.recordOutcome(100_000, 200);
    const report = ledger.reconcile(context);
    expect(report.sent).toBe(2);
    expect(report.acknowledgedButLost.samples).toEqual([id(100_000)]);
  });

  it('handles run ids that contain dashes', () => {
    const ledger = new IdLedger({ runId: 'ci-42-x' });
    ledger.recordOutcome(1, 200);
    ledger.recordMessage('ci-42-x-1');
    ledger.recordMessage('ci-42-1');
    const report = ledger.reconcile(context);
    expect(report.acknowledgedButLost.count).toBe(0);
    expect(report.foreign.count).toBe(1);
  });

  it('counts outcomes beyond its capacity as untracked and rejects nonsense sequence numbers', () => {
    const ledger = new IdLedger({ runId: RUN, maxSeq: 100 });
    ledger.recordOutcome(99, 200);
    ledger.recordOutcome(100, 200);
    ledger.recordOutcome(5_000_000, 200);
    const report = ledger.reconcile(context);
    expect(report.sent).toBe(1);
    expect(report.untracked).toBe(2);
    expect(new IdLedger({ runId: RUN }).reconcile(context).untracked).toBeUndefined();
    expect(() => ledger.recordOutcome(-1, 200)).toThrow(RangeError);
    expect(() => ledger.recordOutcome(1.5, 200)).toThrow(RangeError);
  });
});
