import { evaluateGate } from '../gate/evaluate.ts';
import type { GateLimits } from '../gate/limits.ts';
import type { RunRecord, Verdict } from '../run-record.ts';
import { integrityRules } from '../verify/integrity-rules.ts';
import { gateInputOf } from './build-record.ts';

/** The verdict on a run record: the gate's rules, plus integrity when the run reconciled its requests. */
export function judgeRecord(record: RunRecord, limits: GateLimits, aborted = record.verdict.aborted): Verdict {
  const verdict = evaluateGate(gateInputOf(record, aborted), limits);
  if (!record.integrity) return verdict;
  const rules = [...verdict.rules, ...integrityRules(record.integrity)];
  return { ...verdict, passed: rules.every((r) => r.passed), rules };
}
