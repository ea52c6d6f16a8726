import { describe, expect, it } from 'vitest';
import { saturatingConnectionMax } from '../../harness/commands/incident-command.ts';
import { checkIncidentExpectations } from '../../harness/commands/incident-expectations.ts';
import { loadScenario, resolveSchedule } from '../../scenarios/index.ts';
import { makeLeakyRecord, makePassingRecord } from '../fixtures/run-records.ts';

describe('incident expectations', () => {
  it('hold for a leaky run that saturated the broker and a shared run that stayed flat', () => {
    const leaky = makeLeakyRecord();
    leaky.verdict = { passed: false, rules: [{ name: 'connections.ceiling', passed: false, limit: 'x', value: 'y', message: 'm' }] };
    const shared = makePassingRecord();
    shared.verdict = { passed: true, rules: [] };
    const result = checkIncidentExpectations(leaky, shared);
    expect(result.filter((e) => !e.held)).toEqual([]);
    expect(result).toHaveLength(6);
  });

  it('fail when the runs are swapped: the fix must not look like the outage', () => {
    const leaky = makeLeakyRecord();
    leaky.verdict = { passed: false, rules: [] };
    const shared = makePassingRecord();
    shared.verdict = { passed: true, rules: [] };
    const swapped = checkIncidentExpectations(shared, leaky);
    expect(swapped.filter((e) => !e.held).map((e) => `${e.run}: ${e.what}`)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^leaky: connections climb/), expect.stringMatching(/^shared: no 5xx/)]),
    );
  });
});

describe('saturatingConnectionMax', () => {
  it('puts the cap between what the morning sent before peak-1 and the end of peak-1', async () => {
    const schedule = resolveSchedule(await loadScenario('eu-morning'), { durationSec: 40, peakRps: 150 });
    const peak = schedule.phases.find((p) => p.name === 'peak-1')!;
    const sentBefore = schedule.perSecond.filter((s) => s.t < peak.startSec).reduce((n, s) => n + s.scheduled, 0);
    const sentByEnd = schedule.perSecond.filter((s) => s.t < peak.endSec).reduce((n, s) => n + s.scheduled, 0);
    const cap = saturatingConnectionMax(schedule);
    expect(cap).toBeGreaterThan(sentBefore);
    expect(cap).toBeLessThan(sentByEnd);
  });
});
