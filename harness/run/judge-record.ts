import { evaluateGate } from '../gate/evaluate.ts';
import type { GateLimits } from '../gate/limits.ts';
import type { RunRecord, Verdict } from '../run-record.ts';
import { integrityRules } from '../verify/integrity-rules.ts';
import { gateInputOf } from './build-record.ts';
import { isWatchRecord } from './watch-record.ts';

/** The verdict on a run record: the gate's rules, plus integrity when the run reconciled its requests. */
export function judgeRecord(record: RunRecord, limits: GateLimits, aborted = record.verdict.aborted): Verdict {
  // A watch did not drive the load: judge over time, and leave what needs the requests unjudged.
  const verdict = evaluateGate(gateInputOf(record, aborted), limits, isWatchRecord(record) ? { load: 'unknown' } : {});
  if (!record.integrity) return verdict;
  const rules = [...verdict.rules, ...integrityRules(record.integrity)];
  return { ...verdict, passed: rules.every((r) => r.passed), rules };
}
