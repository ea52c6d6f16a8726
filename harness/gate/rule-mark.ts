// How a rule's outcome is marked in every report: `ok:`, `warn:` (shown, does not fail), `fail:`, or
// `n/a:` (not judged, does not decide). One place, so the CLI, summary.md, JUnit and HTML agree.

import type { RuleResult } from '../run-record.ts';

export type RuleOutcome = 'ok' | 'warn' | 'fail' | 'n/a';

export function ruleOutcome(r: Pick<RuleResult, 'passed' | 'judged' | 'warning'>): RuleOutcome {
  if (r.judged === false) return 'n/a';
  if (!r.passed) return 'fail';
  return r.warning ? 'warn' : 'ok';
}

/** `ok:`, `warn:`, `fail:` or `n/a:`. */
export function ruleMark(r: Pick<RuleResult, 'passed' | 'judged' | 'warning'>): string {
  return `${ruleOutcome(r)}:`;
}
