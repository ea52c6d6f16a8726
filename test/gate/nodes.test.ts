import { describe, expect, it } from 'vitest';
import { evaluateGate } from '../../harness/gate/evaluate.ts';
import type { GateInput } from '../../harness/gate/input.ts';
import { nodeLosses } from '../../harness/gate/nodes.ts';
import { formatReconnectNote } from '../../harness/chaos/reconnect-note.ts';
import type { BrokerSample } from '../../harness/run-record.ts';
import { rule, run, shared, stepLadder } from './timeline.ts';

const NODES = ['rabbit-a@h', 'rabbit-b@h', 'rabbit-c@h'];

/**
 * Spreads each sample's connections over three nodes with `split(t)` (counts per node; undefined = the
 * node did not answer), so the total is the sum of the nodes that answered, as the sampler records it.
 */
function onNodes(input: GateInput, split: (t: number, total: number) => Array<number | undefined>, maxes: Array<number | undefined> = []): GateInput {
  const broker = input.broker.map((s): BrokerSample => {
    const counts = split(s.t, s.connections);
    const nodes = NODES.flatMap((node, i) => {
      const c = counts[i];
      return c === undefined ? [] : [{ node, connections: c, channels: c, connectionsOpened: 0, connectionsClosed: 0, channelsOpened: 0, channelsClosed: 0 }];
    });
    const missing = NODES.filter((_, i) => counts[i] === undefined);
    const total = nodes.reduce((a, n) => a + n.connections, 0);
    return { ...s, connections: total, nodes, ...(missing.length > 0 ? { missingNodes: missing } : {}) };
  });
  return { ...input, broker, nodes: NODES.map((node, i) => ({ node, ...(maxes[i] !== undefined ? { connectionMax: maxes[i] } : {}) })) };
}

const base = () => run({ phases: stepLadder(), connections: shared(2), units: 2 });
/** shared(2) holds two connections: one on rabbit-a, one on rabbit-b. */
const spread = (_t: number, total: number) => [Math.min(1, total), Math.min(1, Math.max(0, total - 1)), Math.max(0, total - 2)];

describe('connections.nodes (several broker nodes)', () => {
  it('is absent on one node: the verdict keeps its rules', () => {
    expect(evaluateGate(base()).rules.map((r) => r.name)).not.toContain('connections.nodes');
  });

  it('passes connections spread over three nodes, after connections.churn, naming the busiest node', () => {
    const v = evaluateGate(onNodes(base(), spread));
    const names = v.rules.map((r) => r.name);
    expect(names.indexOf('connections.nodes')).toBe(names.indexOf('connections.churn') + 1);
    const r = rule(v, 'connections.nodes');
    expect(r.passed).toBe(true);
    expect(r.message).toMatch(/^The busiest of 3 nodes held 1 connections \(rabbit-a@h\)\.$/);
  });

  it('fails a node held at its own connection_max while the cluster total is fine', () => {
    const v = evaluateGate(onNodes(base(), (_t, total) => [total, 0, 0], [2, 100, 100]));
    const r = rule(v, 'connections.nodes');
    expect(r.passed).toBe(false);
    expect(r.message).toMatch(/^rabbit-a@h held 2 connections at .* s, at its connection_max of 2: new connections to it stall\.$/);
    expect(r.value).toBe('2 on rabbit-a@h');
  });

  it('leaves a node loss to chaos.reconnect: a failover passes there, and connections.nodes names the loss without judging it', () => {
    // rabbit-b goes at 20 s; its connection lands on rabbit-a 1 s later.
    const v = evaluateGate(onNodes(base(), (t, total) => (t < 20 ? spread(t, total) : t < 21 ? [1, undefined, 0] : [2, undefined, 0])));
    const r = rule(v, 'chaos.reconnect');
    expect(r.passed).toBe(true);
    expect(r.message).toMatch(/rabbit-b@h stopped answering at 20 s \(no node fault of this run\); rabbit-a@h held all 2 connections 5 s later, and the total stayed within the 2 held before it\./);
    const n = rule(v, 'connections.nodes');
    expect(n.passed).toBe(true);
    expect(n.message).toMatch(/1 node loss left to chaos\.reconnect \(rabbit-b@h at 20 s\)/);
  });

  it('fails a reconnect storm in chaos.reconnect only: the total stays above the level before the loss past the recovery limit', () => {
    const v = evaluateGate(onNodes(base(), (t, total) => (t < 20 ? spread(t, total) : [6, undefined, 1])));
    const r = rule(v, 'chaos.reconnect');
    expect(r.passed).toBe(false);
    expect(r.message).toMatch(/rabbit-b@h stopped answering at 20 s \(no node fault of this run\): connections stayed above the 2 held before it, 7 held at 25 s, past the 5 s recovery limit \(rabbit-a@h held 6 of 7 connections 5 s later\): .*\(a reconnect storm\)\.$/);
    expect(rule(v, 'connections.nodes').passed).toBe(true);
  });

  it('a storm shorter than the recovery limit passes; the limit follows chaos.recovery', () => {
    const storm = (t: number, total: number) => (t < 20 ? spread(t, total) : t < 23 ? [6, undefined, 1] : [2, undefined, 0]);
    expect(rule(evaluateGate(onNodes(base(), storm)), 'chaos.reconnect').passed).toBe(true);
    expect(rule(evaluateGate(onNodes(base(), storm), { 'chaos.recovery': { kind: 'duration', text: '<=1s', op: '<=', ms: 1000 } }), 'chaos.reconnect').passed).toBe(false);
  });

  it('connections.nodes judges connection_max outside the reconnect window only', () => {
    // rabbit-a (connection_max 2) collects both connections when rabbit-b goes at 20 s.
    const maxes = [2, 100, 100];
    const briefly = (t: number, total: number) => (t < 20 ? spread(t, total) : t < 23 ? [2, undefined, 0] : t < 30 ? [1, 1, 0] : spread(t, total));
    expect(rule(evaluateGate(onNodes(base(), briefly, maxes)), 'connections.nodes').passed).toBe(true);
    // Still at its connection_max after the recovery limit: a ceiling, judged here.
    const stays = (t: number, total: number) => (t < 20 ? spread(t, total) : [2, undefined, 0]);
    const r = rule(evaluateGate(onNodes(base(), stays, maxes)), 'connections.nodes');
    expect(r.passed).toBe(false);
    expect(r.message).toMatch(/^rabbit-a@h held 2 connections at (2[5-9]|[3-9]\d)(\.\d+)? s, at its connection_max of 2/);
    expect(r.limit).toMatch(/outside the 5 s after a node loss: chaos\.reconnect judges those/);
  });

  it("judges a node fault's loss from its note alone: the samples of that node are not judged again", () => {
    // The samples say storm (7 held past the limit); the fault watched the target's own connections land at 1.2 s.
    const input = onNodes(base(), (t, total) => (t < 20 ? spread(t, total) : [6, undefined, 1]));
    const note = formatReconnectNote({ action: 'node kill', node: 'rabbit-b@h', expected: 2, landedAfterSec: 1.2, peak: 2, watchedSec: 1.2 });
    const v = evaluateGate({ ...input, events: [...(input.events ?? []), { t: 21.2, kind: 'note', message: note }] });
    const r = rule(v, 'chaos.reconnect');
    expect(r.passed).toBe(true);
    expect(r.value).toBe('1.2 s');
    expect(r.message).not.toMatch(/stopped answering/);
    expect(v.rules.filter((x) => x.name === 'chaos.reconnect')).toHaveLength(1);
    expect(rule(v, 'connections.nodes').passed).toBe(true);
  });

  it('finds each loss once, with when the node came back', () => {
    const input = onNodes(base(), (t, total) => (t >= 10 && t < 12 ? [1, 1, undefined] : spread(t, total)));
    const losses = nodeLosses(input, NODES, 5, 1);
    expect(losses.map((l) => [l.node, l.at, l.back])).toEqual([['rabbit-c@h', 10, 12]]);
  });
});
