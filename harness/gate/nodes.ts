// connections.nodes: on a broker of several nodes, what the totals cannot show: each node has its own
// connection_max, and a node at it stops answering new connections even when the cluster has room.
// What happens after a node goes away (its clients arriving at the others at once) is chaos.reconnect's
// to judge (chaos-reconnect.ts): for the recovery limit after each node loss, one node collecting every
// connection is a failover, not a ceiling, so this rule looks at each node outside those windows only.
// Judged only when more than one node was sampled, so single-node runs keep their verdicts.

import type { BrokerSample, RuleResult } from '../run-record.ts';
import { num } from './format.ts';
import type { GateInput } from './input.ts';
import { heldLevels, maxHeld, median, type Point } from './stats.ts';

export const NODES_RULE = 'connections.nodes';

/** Seconds of totals before a node loss whose median is the level it must come back to. */
const BEFORE_SEC = 2;

export interface NodeLoss {
  node: string;
  /** First sample without the node, seconds since load start. */
  at: number;
  /** When it answered again (undefined: not before the samples end). */
  back?: number;
  /** Median total connections in the BEFORE_SEC before the loss. */
  before: number;
  /** The node that held the most connections right after the recovery limit, and how many of the total. */
  busiest?: { node: string; connections: number; of: number };
  /** Highest total held from the recovery limit on while the node was away (within the load). */
  heldAfter?: Point;
}

/** One node's connections, only where it answered. */
export function nodeSeries(broker: readonly BrokerSample[], node: string): Point[] {
  const out: Point[] = [];
  for (const s of broker) {
    const n = s.nodes?.find((x) => x.node === node);
    if (n) out.push({ t: s.t, v: n.connections });
  }
  return out;
}

/** Every stretch in which a node that had answered stopped answering during the load. */
export function nodeLosses(input: Pick<GateInput, 'broker' | 'loadEndSec'>, nodes: readonly string[], recoverySec: number, holdSec: number): NodeLoss[] {
  const broker = [...input.broker].sort((a, b) => a.t - b.t);
  const totals = broker.map((s) => ({ t: s.t, v: s.connections }));
  const losses: NodeLoss[] = [];
  for (const node of nodes) {
    let seen = false;
    let current: NodeLoss | undefined;
    for (const s of broker) {
      const missing = s.missingNodes?.includes(node) ?? false;
      if (!missing) {
        if (current) current.back = s.t;
        current = undefined;
        seen = true;
        continue;
      }
      if (!seen || current || s.t < 0 || s.t > input.loadEndSec) continue;
      const before = median(totals.filter((p) => p.t < s.t && p.t >= s.t - BEFORE_SEC).map((p) => p.v));
      current = { node, at: s.t, before: Number.isFinite(before) ? before : 0 };
      losses.push(current);
    }
  }
  for (const loss of losses) {
    const settle = loss.at + recoverySec;
    const until = Math.min(loss.back ?? Infinity, input.loadEndSec);
    if (settle >= until) continue;
    const held = maxHeld(totals, holdSec, settle, until);
    if (held) loss.heldAfter = held;
    const first = broker.find((s) => s.t >= settle && s.t <= until);
    const top = first?.nodes?.reduce((a, b) => (b.connections > a.connections ? b : a));
    if (first && top) loss.busiest = { node: top.node, connections: top.connections, of: first.connections };
  }
  return losses;
}

/** The reconnect windows chaos.reconnect judges: from each node loss until the recovery limit after it. */
export function reconnectWindows(losses: readonly NodeLoss[], recoverySec: number): Array<{ from: number; to: number }> {
  return losses.map((l) => ({ from: l.at, to: l.at + recoverySec }));
}

export function nodesRule(input: GateInput, recoverySec: number, holdSec: number): RuleResult | undefined {
  const nodes = input.nodes;
  if (!nodes || nodes.length < 2) return undefined;
  const losses = nodeLosses(input, nodes.map((n) => n.node), recoverySec, holdSec);
  const windows = reconnectWindows(losses, recoverySec);
  const outside = (t: number) => t >= 0 && t <= input.loadEndSec && !windows.some((w) => t >= w.from && t <= w.to);
  const limit = `each node < its connection_max${losses.length > 0 ? ` (outside the ${num(recoverySec)} s after a node loss: chaos.reconnect judges those)` : ''}`;
  const findings: string[] = [];
  let worst = { node: '', level: 0 };

  for (const n of nodes) {
    let held: Point | undefined;
    for (const p of heldLevels(nodeSeries(input.broker, n.node), holdSec)) {
      if (outside(p.t) && (!held || p.v > held.v)) held = p;
    }
    if (!held) continue;
    if (held.v > worst.level) worst = { node: n.node, level: held.v };
    if (n.connectionMax !== undefined && held.v >= n.connectionMax) {
      findings.push(`${n.node} held ${num(held.v)} connections at ${num(held.t)} s, at its connection_max of ${num(n.connectionMax)}: new connections to it stall`);
    }
  }

  const value = worst.node ? `${num(worst.level)} on ${worst.node}` : 'n/a';
  if (findings.length > 0) return { name: NODES_RULE, passed: false, limit, value, message: `${findings.join('; ')}.` };
  const maxes = nodes.filter((n) => n.connectionMax !== undefined);
  const cap = maxes.length > 0 ? `, under each node's connection_max` : '';
  const base = `The busiest of ${nodes.length} nodes held ${value === 'n/a' ? 'no connections' : `${num(worst.level)} connections (${worst.node})`}${cap}`;
  const lost = losses.length > 0 ? `; ${losses.length} node loss${losses.length === 1 ? '' : 'es'} left to chaos.reconnect (${losses.map((l) => `${l.node} at ${num(l.at)} s`).join(', ')})` : '';
  return { name: NODES_RULE, passed: true, limit, value, message: `${base}${lost}.` };
}
