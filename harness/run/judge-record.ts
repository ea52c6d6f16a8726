import { callRules } from '../gate/call-rules.ts';
import { evaluateGate } from '../gate/evaluate.ts';
import type { GateLimits } from '../gate/limits.ts';
import type { RunRecord, Verdict } from '../run-record.ts';
import { integrityRules } from '../verify/integrity-rules.ts';
import { gateInputOf } from './build-record.ts';
import { checkValidity, validityRule } from './validity.ts';
import { isWatchRecord } from './watch-record.ts';

/**
 * The verdict on a run record: the gate's rules, plus integrity when the run reconciled its requests.
 * A run that was not a valid test of the service (validity.ts) fails first, whatever the rules say.
 */
export function judgeRecord(record: RunRecord, limits: GateLimits, aborted = record.verdict.aborted): Verdict {
  // A watch did not drive the load: judge over time, and leave what needs the requests unjudged.
  const watch = isWatchRecord(record);
  const verdict = evaluateGate(gateInputOf(record, aborted), limits, watch ? { load: 'unknown' } : {});
  const validity = watch ? undefined : (record.validity ?? checkValidity(record));
  const perCall = watch ? [] : callRules(record.calls, limits.calls ?? [], record.events.some((e) => e.kind === 'fault-start'));
  const rules = [...(validity && !validity.valid ? [validityRule(validity)] : []), ...verdict.rules, ...perCall, ...(record.integrity ? integrityRules(record.integrity) : [])];
  return { ...verdict, passed: rules.every((r) => r.passed), rules };
}
