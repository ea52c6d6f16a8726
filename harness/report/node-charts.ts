// One chart per resource for a broker of several nodes: each node's connections (or channels) stacked
// on the ones before it, so the top edge is the total the gate judged. Drawn as cumulative lines filled
// to the axis, later ones over earlier ones, which both renderers (Chart.js and the SVG fallback) draw
// the same. A node that did not answer adds nothing to that sample: its band is absent there, as it is
// from the total.
import type { ChartConfiguration } from 'chart.js';
import type { BrokerSample, RunRecord } from '../run-record.ts';
import { breakAtGaps } from './chart-annotations.ts';
import { COLORS, countAxis, titlePlugins } from './chart-common.ts';
import { MAX_POINTS } from './chart-data.ts';
import { fmtInt } from './format.ts';
import { chartContext } from './chart-context.ts';
import type { ChartSpec } from './run-charts.ts';

export const NODE_COLORS = ['#1565c0', '#2e7d32', '#6a1b9a', '#00838f', '#ad1457'] as const;
const NODE_FILLS = ['#90caf9', '#a5d6a7', '#ce93d8', '#80deea', '#f48fb1'] as const;

type Resource = 'connections' | 'channels';

/** Evenly spaced samples, never more than maxPoints (the last one kept). */
function spread(samples: readonly BrokerSample[], maxPoints = MAX_POINTS): BrokerSample[] {
  if (samples.length <= maxPoints) return [...samples];
  const step = samples.length / maxPoints;
  const out = Array.from({ length: maxPoints - 1 }, (_, i) => samples[Math.floor(i * step)]!);
  out.push(samples[samples.length - 1]!);
  return out;
}

/** Per node in order, the sum of its and the earlier nodes' counts at each sample. */
export function stackedNodeSeries(broker: readonly BrokerSample[], nodes: readonly string[], resource: Resource): Array<Array<{ x: number; y: number }>> {
  const samples = spread(broker.filter((s) => s.nodes));
  return nodes.map((_, i) =>
    samples.map((s) => ({
      x: s.t,
      y: nodes.slice(0, i + 1).reduce((a, node) => a + (s.nodes!.find((n) => n.node === node)?.[resource] ?? 0), 0),
    })),
  );
}

export function nodeChart(record: RunRecord, resource: Resource, label?: string): ChartSpec | undefined {
  const nodes = record.brokerNodes?.map((n) => n.node) ?? [];
  if (nodes.length < 2) return undefined;
  const c = chartContext(record, label);
  const gaps = record.sampling?.gaps;
  const stacked = stackedNodeSeries(record.broker, nodes, resource);
  const peaks = nodes.map((node) => Math.max(0, ...record.broker.map((s) => s.nodes?.find((n) => n.node === node)?.[resource] ?? 0)));
  const total = Math.max(0, ...record.broker.map((s) => s[resource]));
  const maxes = [...new Set((record.brokerNodes ?? []).map((n) => n.connectionMax).filter((m): m is number => m !== undefined))];
  // Topmost band first in the array (the SVG draws in array order) and with the highest `order` (Chart.js
  // draws higher orders first), so each lower band is drawn over the one above it.
  const bands = nodes
    .map((node, i) => ({
      label: `${node} (peak ${fmtInt(peaks[i]!)})`,
      data: breakAtGaps(stacked[i]!, gaps),
      yAxisID: 'y',
      borderColor: NODE_COLORS[i % NODE_COLORS.length],
      backgroundColor: NODE_FILLS[i % NODE_FILLS.length],
      fill: 'origin' as const,
      borderWidth: 1.5,
      pointRadius: 0,
      order: 10 + i,
    }))
    .reverse();
  const title = resource === 'connections' ? 'Connections' : 'Channels';
  const totalLine = {
    label: `total (peak ${fmtInt(total)})`,
    data: breakAtGaps(
      spread(record.broker).map((s) => ({ x: s.t, y: s[resource] })),
      gaps,
    ),
    yAxisID: 'y',
    borderColor: resource === 'connections' ? COLORS.connections : COLORS.channels,
    backgroundColor: resource === 'connections' ? COLORS.connections : COLORS.channels,
    borderWidth: 2.5,
    borderDash: [6, 3],
    pointRadius: 0,
    order: 0,
  };
  const config: ChartConfiguration<'line'> = {
    type: 'line',
    data: { datasets: [...bands, totalLine] },
    options: {
      plugins: titlePlugins(
        `${title} per broker node, stacked to the total — ${c.name}`,
        `${nodes.length} nodes; peak per node ${peaks.map(fmtInt).join(' / ')}, total ${fmtInt(total)}` +
          (resource === 'connections' && maxes.length > 0 ? `; connection_max per node ${maxes.map(fmtInt).join(' / ')}` : '') +
          ` · a node that did not answer adds nothing${c.gapNote}`,
        true,
        true,
      ),
      scales: { x: c.x, y: countAxis(`open ${resource} (count, stacked)`, { position: 'left', suggestedMax: Math.max(total * 1.15, total + 3) }) },
    },
    plugins: c.brokerPlugins(),
  };
  return {
    id: `nodes-${resource}`,
    file: `nodes-${resource}.png`,
    title: `${title} per broker node`,
    caption: `Each node's ${resource} as a band stacked on the nodes before it; the dashed line is the total the gate judged (peak ${fmtInt(total)}).`,
    config: config as unknown as ChartConfiguration,
  };
}
