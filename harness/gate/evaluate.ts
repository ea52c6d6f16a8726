// Turns a run into a verdict: every enabled rule, in a fixed order, each with the numbers that decided it.

import type { RuleResult, Verdict } from '../run-record.ts';
import { ceilingRule } from './ceiling.ts';
import { chaosAnswersRule } from './chaos-answers.ts';
import { chaosReconnectRule } from './chaos-reconnect.ts';
import { chaosRecoveryRule } from './chaos-recovery.ts';
import { DEFAULT_GRACE_SEC, faultWindows } from './chaos-windows.ts';
import { churnRule } from './churn.ts';
import { droppedRule } from './dropped.ts';
import { errorsRule } from './errors.ts';
import { growthRule } from './growth.ts';
import { baselineOf, type GateInput } from './input.ts';
import { latencyRule } from './latency.ts';
import { RESOURCES, withDefaults, type GateLimits } from './limits.ts';
import { modelsFor } from './model.ts';
import { nodesRule } from './nodes.ts';
import { perConnectionRule } from './per-connection.ts';
import { residueRule } from './residue.ts';
import { ruleMark } from './rule-mark.ts';
import { rulesWithoutLoad } from './without-load.ts';

export type { GateInput } from './input.ts';

export interface GateOptions {
  /**
   * 'unknown' when rushgate did not drive the load (`rushgate watch`): growth, residue and churn are
   * judged over time, and rules that need the requests are shown as not judged (see without-load.ts).
   */
  load?: 'driven' | 'unknown';
}

export function evaluateGate(input: GateInput, limits: Partial<GateLimits> = {}, opts: GateOptions = {}): Verdict {
  const l = withDefaults(limits);
  const baseline = baselineOf(input);
  const models = modelsFor(input, l);
  // After a revert the service gets as long to recover as chaos.recovery allows before errors count again.
  const graceSec = l['chaos.recovery'] ? l['chaos.recovery'].ms / 1000 : DEFAULT_GRACE_SEC;
  // Several broker nodes: each node's own connection_max judged too; absent on one node.
  const nodes = nodesRule(input, graceSec, l.holdSec);
  // After a node loss (a node fault's, or one only the per-node samples saw): the one reconnect judgement.
  const reconnect = l['chaos.recovery'] ? chaosReconnectRule(input, l['chaos.recovery'], l.holdSec) : undefined;
  if (opts.load === 'unknown') return verdictOf([...rulesWithoutLoad(input, l, baseline, models), ...(nodes ? [nodes] : []), ...(reconnect ? [reconnect] : [])], input);
  const rules: RuleResult[] = [];
  for (const r of RESOURCES) {
    const m = models[r];
    const ceiling = l[`${r}.ceiling`];
    const growth = l[`${r}.growth`];
    const residue = l[`${r}.residue`];
    const churn = l[`${r}.churn`];
    if (ceiling) rules.push(ceilingRule(input, m, ceiling, baseline, l.holdSec));
    if (r === 'channels' && l['channels.per-connection']) rules.push(perConnectionRule(input, m, l['channels.per-connection']));
    if (growth) rules.push(growthRule(input, m, growth));
    if (residue) rules.push(residueRule(input, m, residue, baseline));
    if (churn) rules.push(churnRule(input, r, churn, { settleSec: l.residueSettleSec }, baseline));
    if (r === 'connections' && nodes) rules.push(nodes);
  }
  if (l['errors.rate']) rules.push(errorsRule(input, l['errors.rate'], graceSec));
  if (l['latency.p99']) rules.push(latencyRule(input, l['latency.p99'], graceSec));
  if (l['load.dropped']) rules.push(droppedRule(input, l['load.dropped']));
  const windows = faultWindows(input.events, input.loadEndSec);
  if (windows.length > 0) {
    if (l['chaos.answers']) rules.push(chaosAnswersRule(input, windows, l['chaos.answers'], graceSec));
    if (l['chaos.recovery']) rules.push(chaosRecoveryRule(input, windows, l['chaos.recovery']));
  }
  if (reconnect) rules.push(reconnect);
  return verdictOf(rules, input);
}

function verdictOf(rules: RuleResult[], input: GateInput): Verdict {
  const verdict: Verdict = { passed: rules.every((r) => r.passed), rules };
  if (input.aborted) verdict.aborted = input.aborted;
  return verdict;
}

/** `ok:` / `warn:` / `fail:` lines for a terminal or a log. */
export function verdictLines(verdict: Verdict): string[] {
  return verdict.rules.map((r) => `${ruleMark(r).padEnd(5)} ${r.name} ${r.value} (limit ${r.limit}) — ${r.message}`);
}
