import { describe, expect, it } from 'vitest';
import { IdLedger } from '../../harness/verify/id-ledger.ts';
import { integrityRules } from '../../harness/verify/integrity-rules.ts';
import type { IntegrityReport } from '../../harness/run-record.ts';

const context = { exchange: 'rushgate.items', routingKey: '#' };

function reportOf(outcomes: Array<[number, number, string?]>, published: number[]): IntegrityReport {
  const ledger = new IdLedger({ runId: 'ab12' });
  for (const [seq, status, kind] of outcomes) ledger.recordOutcome(seq, status, kind);
  for (const seq of published) ledger.recordMessage(`ab12-${seq}`);
  return ledger.reconcile(context);
}

const byName = (rules: ReturnType<typeof integrityRules>, name: string) => {
  const rule = rules.find((r) => r.name === name);
  if (!rule) throw new Error(`no rule ${name}`);
  return rule;
};

describe('integrity rules', () => {
  it('fail on acknowledged-but-lost with the count and sample ids in the sentence', () => {
    const outcomes = Array.from({ length: 100 }, (_, seq): [number, number] => [seq, 200]);
    const report = reportOf(outcomes, outcomes.map(([seq]) => seq).filter((seq) => ![77, 78, 90].includes(seq)));
    const lost = byName(integrityRules(report), 'integrity.lost');
    expect(lost.passed).toBe(false);
    expect(lost.value).toBe('3 lost');
    expect(lost.limit).toBe('<= 0 acknowledged but lost');
    expect(lost.message).toBe('3 requests got 2xx but never reached the broker (e.g. ab12-77, ab12-78, ab12-90).');
  });

  it('pass when every 2xx arrived, and respect a user limit above 0', () => {
    const all = reportOf([[0, 200], [1, 200]], [0, 1]);
    expect(byName(integrityRules(all), 'integrity.lost')).toMatchObject({ passed: true, value: '0 lost' });
    const oneLost = reportOf([[0, 200], [1, 200]], [0]);
    expect(byName(integrityRules(oneLost, { lost: 1 }), 'integrity.lost').passed).toBe(true);
    expect(byName(integrityRules(oneLost), 'integrity.lost').message).toContain('1 request got 2xx');
  });

  it('say so when the tap saw nothing at all (wrong exchange or no messageId)', () => {
    const report = reportOf([[0, 200]], []);
    expect(byName(integrityRules(report), 'integrity.lost').message).toContain('the tap saw no message at all on exchange "rushgate.items"');
  });

  it('are inconclusive (failing) when the tap lost its connection', () => {
    const report = reportOf([[0, 200]], [0]);
    report.tapInterrupted = { atIso: '2025-01-01T07:50:00.000Z', reason: 'CONNECTION_FORCED' };
    const lost = byName(integrityRules(report), 'integrity.lost');
    expect(lost.passed).toBe(false);
    expect(lost.value).toBe('0 lost (inconclusive)');
    expect(lost.message).toContain('CONNECTION_FORCED');
  });

  it('show refused-but-published without failing unless a limit is set', () => {
    const report = reportOf([[0, 503], [1, 503], [2, 0, 'timeout'], [3, 400]], [0, 1, 2]);
    const shown = byName(integrityRules(report), 'integrity.refused-published');
    expect(shown.passed).toBe(true);
    expect(shown.warning).toBe(true); // printed warn:, not ok:
    expect(shown.value).toBe('3 (5xx: 2, timeout: 1)');
    expect(shown.message).toContain('3 requests were refused or unanswered yet still reached the broker (e.g. ab12-0 503, ab12-1 503, ab12-2 timeout)');
    expect(byName(integrityRules(report, { refusedPublished: 2 }), 'integrity.refused-published').passed).toBe(false);
    expect(byName(integrityRules(report, { refusedPublished: 3 }), 'integrity.refused-published')).toMatchObject({ passed: true });
    expect(byName(integrityRules(report, { refusedPublished: 3 }), 'integrity.refused-published').warning).toBeUndefined();
    expect(byName(integrityRules(reportOf([[0, 200]], [0])), 'integrity.refused-published').warning).toBeUndefined();
  });

  it('show duplicates without failing unless a limit is set', () => {
    const report = reportOf([[0, 200], [1, 200]], [0, 0, 0, 1]);
    const shown = byName(integrityRules(report), 'integrity.duplicates');
    expect(shown).toMatchObject({ passed: true, warning: true, value: '1 id, 2 extra' });
    expect(shown.message).toBe('1 request id was published more than once (2 extra copies, e.g. ab12-0 x3).');
    expect(byName(integrityRules(report, { duplicates: 0 }), 'integrity.duplicates').passed).toBe(false);
  });

  it('return exactly the three rules, in a stable order', () => {
    expect(integrityRules(reportOf([], [])).map((r) => r.name)).toEqual(['integrity.lost', 'integrity.refused-published', 'integrity.duplicates']);
  });
});
