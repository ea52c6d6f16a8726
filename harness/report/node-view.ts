// The per-node table of a broker of several nodes, for summary.md and report.html: each node's
// connections at the idle baseline, at its peak and at the end, its channels, its connection_max, and how
// long it did not answer (a gap of that node; the totals left it out there).
import type { RunRecord } from '../run-record.ts';
import { fmtInt, fmtRate } from './format.ts';

export interface NodeRow {
  node: string;
  connectionMax: string;
  baseline: string;
  peak: string;
  end: string;
  peakChannels: string;
  /** e.g. "none", or "2 gaps, 6.3 s". */
  unanswered: string;
}

export const NODE_TABLE_NOTE = "Each node's own Prometheus endpoint, in the same tick; the totals are their sum. A node that did not answer is a gap of that node: the totals leave it out there.";

export function nodeRows(record: RunRecord): NodeRow[] {
  const nodes = record.brokerNodes ?? [];
  if (nodes.length < 2) return [];
  return nodes.map(({ node, connectionMax }) => {
    const seen = record.broker.flatMap((s) => {
      const n = s.nodes?.find((x) => x.node === node);
      return n ? [{ t: s.t, connections: n.connections, channels: n.channels }] : [];
    });
    const before = seen.filter((s) => s.t < 0).map((s) => s.connections).sort((a, b) => a - b);
    const gaps = record.sampling?.nodes?.find((n) => n.node === node)?.gaps ?? [];
    const missing = gaps.reduce((a, g) => a + g.seconds, 0);
    const count = (v: number | undefined) => (v === undefined ? '–' : fmtInt(v));
    return {
      node,
      connectionMax: count(connectionMax),
      baseline: count(before.length > 0 ? before[Math.floor(before.length / 2)] : undefined),
      peak: count(seen.length > 0 ? Math.max(...seen.map((s) => s.connections)) : undefined),
      end: count(seen.at(-1)?.connections),
      peakChannels: count(seen.length > 0 ? Math.max(...seen.map((s) => s.channels)) : undefined),
      unanswered: gaps.length === 0 ? 'none' : `${fmtInt(gaps.length)} ${gaps.length === 1 ? 'gap' : 'gaps'}, ${fmtRate(missing)} s`,
    };
  });
}
