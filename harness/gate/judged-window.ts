// Gaps in the broker samples inside the window a rule reads. A rule says when it judged with less data;
// one whose window is mostly gap cannot pass on what little was seen (it fails as not judged), while a
// failure it did see still stands: a level held over the limit was measured, whatever the gaps hid.

import type { RuleResult } from '../run-record.ts';
import { num } from './format.ts';
import { gapsWithin, type Gap } from './sampling-gaps.ts';

/** More than this share of the window without samples: the rule cannot pass. */
const MOSTLY = 0.5;

/** Whether [from, to] is mostly without broker samples: a rule reading it cannot pass. */
export function mostlyUnseen(gaps: readonly Gap[], from: number, to: number): boolean {
  return to <= from || gapsWithin(gaps, from, to).seconds > MOSTLY * (to - from);
}

export function withGaps(result: RuleResult, gaps: readonly Gap[], from: number, to: number): RuleResult {
  const inside = gapsWithin(gaps, from, to);
  if (inside.seconds === 0) return result;
  // Whole seconds unless that would make a short gap read "14-14 s".
  const at = (g: Gap) => (g.to - g.from < 2 ? `${num(g.from)}-${num(g.to)} s` : `${num(g.from, 0)}-${num(g.to, 0)} s`);
  const where = inside.gaps.map(at).join(', ');
  const text = `no broker samples for ${num(inside.seconds)} s at ${where}`;
  if (result.passed && result.judged !== false && to > from && mostlyUnseen(gaps, from, to)) {
    return { ...result, passed: false, value: 'n/a', message: `Not judged: ${text}, more than half of the ${num(to - from)} s this rule reads, so it cannot pass on what was seen.` };
  }
  return { ...result, message: `${result.message.replace(/\.$/, '')}; judged with less data: ${text}.` };
}
