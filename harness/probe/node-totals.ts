// Adds the nodes of a cluster up into one broker sample. Each node's Prometheus endpoint reports its own
// connections and channels only, so the broker's are their sum. A node that did not answer this tick is
// left out of the current counts (its series has a hole there) and named in `missingNodes`; the
// cumulative counters keep its last reading instead, so a node that goes away does not make the total of
// "connections opened" fall, and one that restarts (its counters back at 0) continues from where it was.
import type { BrokerSample, NodeSample } from '../run-record.ts';
import type { BrokerCounts } from './broker-metrics.ts';
import type { HarnessUsage } from './broker-sampler.ts';

export interface NodeReading {
  node: string;
  counts: BrokerCounts;
}

type Counter = 'connectionsOpened' | 'connectionsClosed' | 'channelsOpened' | 'channelsClosed';
const COUNTERS: readonly Counter[] = ['connectionsOpened', 'connectionsClosed', 'channelsOpened', 'channelsClosed'];

/**
 * Returns a function that turns one tick's readings (the nodes that answered) into a sample. `harnessNode`
 * is the node the harness's own connections are on (its AMQP URL's node): they are taken out of that node.
 */
export function nodeTotals(nodes: readonly string[], harnessNode = nodes[0]): (t: number, readings: readonly NodeReading[], own: HarnessUsage) => BrokerSample {
  // Per node and counter: the last raw reading, and what earlier lives of the node had counted.
  const last = new Map<string, Record<Counter, number>>();
  const offset = new Map<string, Record<Counter, number>>();
  const lastAdjusted = new Map<string, Record<Counter, number>>();

  const adjust = (node: string, counts: Record<Counter, number>): Record<Counter, number> => {
    const prev = last.get(node);
    const off = offset.get(node) ?? { connectionsOpened: 0, connectionsClosed: 0, channelsOpened: 0, channelsClosed: 0 };
    const out = {} as Record<Counter, number>;
    for (const c of COUNTERS) {
      if (prev && counts[c] < prev[c]) off[c] += prev[c];
      out[c] = counts[c] + off[c];
    }
    last.set(node, { ...counts });
    offset.set(node, off);
    lastAdjusted.set(node, out);
    return out;
  };

  return (t, readings, own) => {
    const perNode: NodeSample[] = [];
    let fds: number | undefined;
    let sockets: number | undefined;
    for (const r of readings) {
      const mine = r.node === harnessNode;
      const c = r.counts;
      const counters = adjust(r.node, {
        connectionsOpened: c.connectionsOpened,
        connectionsClosed: c.connectionsClosed,
        // The tap's passive declares open and close a channel each: not the target's churn.
        channelsOpened: Math.max(0, c.channelsOpened - (mine ? (own.channelsOpened ?? 0) : 0)),
        channelsClosed: Math.max(0, c.channelsClosed - (mine ? (own.channelsClosed ?? 0) : 0)),
      });
      perNode.push({
        node: r.node,
        connections: Math.max(0, c.connections - (mine ? own.connections : 0)),
        channels: Math.max(0, c.channels - (mine ? own.channels : 0)),
        ...counters,
      });
      if (c.fds !== undefined) fds = (fds ?? 0) + c.fds;
      if (c.sockets !== undefined) sockets = (sockets ?? 0) + c.sockets;
    }
    const total = (c: Counter) => [...lastAdjusted.values()].reduce((a, v) => a + v[c], 0);
    const answered = new Set(readings.map((r) => r.node));
    const missing = nodes.filter((n) => !answered.has(n));
    const sample: BrokerSample = {
      t,
      connections: perNode.reduce((a, n) => a + n.connections, 0),
      channels: perNode.reduce((a, n) => a + n.channels, 0),
      connectionsOpened: total('connectionsOpened'),
      connectionsClosed: total('connectionsClosed'),
      channelsOpened: total('channelsOpened'),
      channelsClosed: total('channelsClosed'),
      harnessConnections: own.connections,
      harnessChannels: own.channels,
    };
    if (fds !== undefined) sample.fds = fds;
    if (sockets !== undefined) sample.sockets = sockets;
    sample.nodes = perNode;
    if (missing.length > 0) sample.missingNodes = missing;
    return sample;
  };
}
