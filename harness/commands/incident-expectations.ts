import type { RunRecord } from '../run-record.ts';

export interface Expectation {
  run: string;
  what: string;
  held: boolean;
  detail: string;
}

/**
 * The incident replay is a reproduction, not a gate: it succeeds when the faulty service failed the way
 * the outage did and the fixed one held.
 */
export function checkIncidentExpectations(leaky: RunRecord, shared: RunRecord): Expectation[] {
  const cap = leaky.summary.broker.connectionMax;
  const leakyPeak = leaky.summary.broker.peakConnections;
  const leakyPeak5xx = countInPeaks(leaky, (code) => code >= 500);
  const leakyFailedRules = leaky.verdict.rules.filter((r) => !r.passed).map((r) => r.name);
  const shared5xx = countStatus(shared, (code) => code >= 500) + Object.values(shared.summary.errors).reduce((a, b) => a + b, 0);
  const units = shared.target.units;
  return [
    {
      run: 'leaky',
      what: 'connections climb to the broker cap',
      // connection_max is soft: the broker admits a few past it before it stops answering.
      held: cap !== undefined && leakyPeak >= cap * 0.95,
      detail: `peak ${leakyPeak} connections, connection_max ${cap ?? 'not set'}`,
    },
    {
      run: 'leaky',
      what: 'clients get 5xx or no answer at the peak',
      held: leakyPeak5xx > 0,
      detail: `${leakyPeak5xx} failed requests during the peak windows`,
    },
    {
      run: 'leaky',
      what: 'the gate fails',
      held: !leaky.verdict.passed,
      detail: leakyFailedRules.length > 0 ? `failed: ${leakyFailedRules.join(', ')}` : 'every rule passed',
    },
    {
      run: 'shared',
      // One publisher connection per unit, plus the reference service's consumer worker.
      what: `connections stay flat at one per unit (${units}) plus the consumer`,
      held: shared.summary.broker.peakConnections === shared.summary.broker.baselineConnections && shared.summary.broker.peakConnections <= units + 1,
      detail: `baseline ${shared.summary.broker.baselineConnections}, peak ${shared.summary.broker.peakConnections}`,
    },
    {
      run: 'shared',
      what: 'no 5xx',
      held: shared5xx === 0,
      detail: `${shared5xx} 5xx or failed requests`,
    },
    {
      run: 'shared',
      what: 'the gate passes',
      held: shared.verdict.passed,
      detail: shared.verdict.passed ? 'every rule passed' : `failed: ${shared.verdict.rules.filter((r) => !r.passed).map((r) => r.name).join(', ')}`,
    },
  ];
}

function countStatus(record: RunRecord, match: (code: number) => boolean): number {
  return Object.entries(record.summary.status).reduce((n, [code, count]) => n + (match(Number(code)) ? count : 0), 0);
}

/** 5xx plus requests with no answer at all, in the seconds of phases named peak*. */
function countInPeaks(record: RunRecord, match: (code: number) => boolean): number {
  const peaks = record.scenario.phases.filter((p) => p.name.startsWith('peak'));
  return record.load
    .filter((s) => peaks.some((p) => s.t >= p.startSec && s.t < p.endSec))
    .reduce((n, s) => {
      const statuses = Object.entries(s.status).reduce((m, [code, count]) => m + (match(Number(code)) ? count : 0), 0);
      return n + statuses + Object.values(s.errors).reduce((a, b) => a + b, 0);
    }, 0);
}
