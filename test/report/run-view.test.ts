import { describe, expect, it } from 'vitest';
import { perSecondDelta, sampleAt } from '../../harness/report/broker-series.ts';
import { clockAt, phaseRows } from '../../harness/report/run-view.ts';
import { makeLeakyRecord, makePassingRecord } from '../fixtures/run-records.ts';

describe('broker series per load second', () => {
  it('takes the last sample at or before a time, none before the first', () => {
    const record = makeLeakyRecord();
    expect(sampleAt(record.broker, -5)).toBeUndefined();
    expect(sampleAt(record.broker, 0.1)!.t).toBe(0);
    expect(sampleAt(record.broker, 0.25)!.t).toBe(0.25);
  });

  it('turns cumulative opened counters into connections opened per second', () => {
    const leaky = makeLeakyRecord();
    const opened = perSecondDelta(leaky, 'connectionsOpened');
    // Every request in the first seconds opened one connection (8 req/s) until the cap stops it.
    expect(opened.slice(0, 3)).toEqual([8, 8, 8]);
    expect(opened.slice(25, 30)).toEqual([0, 0, 0, 0, 0]);
    expect(opened.reduce((a, b) => a! + b!, 0)).toBe(leaky.summary.broker.peakConnections - leaky.summary.broker.baselineConnections);
    expect(perSecondDelta(makePassingRecord(), 'connectionsOpened').every((n) => n === 0)).toBe(true);
  });
});

describe('phase rows', () => {
  it('sums each phase from the load seconds it owns', () => {
    const rows = phaseRows(makeLeakyRecord());
    expect(rows.map((r) => r.name)).toEqual(['early', 'ramp-up', 'peak-1', 'mid-morning', 'peak-2', 'late', 'cool-down']);
    const early = rows[0]!;
    expect(early).toMatchObject({ clock: '07:00', offered: '8', achievedRps: 8, requests: 80, fiveXx: 0, incident: false, connectionsAtEnd: 82 });
    const peak = rows[2]!;
    expect(peak.incident).toBe(true);
    expect(peak.connectionsAtEnd).toBe(409);
    expect(peak.dropped).toBeGreaterThan(0);
  });
});

describe('clock labels', () => {
  it('uses the driver clock inside the load and offsets outside it', () => {
    const record = makeLeakyRecord();
    expect(clockAt(record, 15.7)).toBe('07:45');
    expect(clockAt(record, -1.5)).toBe('-1.5s');
    expect(clockAt(record, record.load.length + 2)).toBe('+2s');
  });
});
