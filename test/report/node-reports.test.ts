import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUN_COLORS } from '../../harness/report/chart-common.ts';
import { compareChartSpecs } from '../../harness/report/compare-charts.ts';
import { renderOpenMetrics } from '../../harness/report/openmetrics.ts';
import { renderSvgChart } from '../../harness/report/chart-svg.ts';
import { renderReportHtml } from '../../harness/report/report-html.ts';
import { NODE_COLORS, stackedNodeSeries } from '../../harness/report/node-charts.ts';
import { renderCharts, runChartSpecs } from '../../harness/report/run-charts.ts';
import { renderSummaryMarkdown } from '../../harness/report/summary-markdown.ts';
import type { RunRecord } from '../../harness/run-record.ts';
import { makePassingRecord } from '../fixtures/run-records.ts';
import { decodePng, rowsWithColor } from './png.ts';

const NODES = ['rabbit-1@h', 'rabbit-2@h', 'rabbit-3@h'];

/** The passing fixture on three nodes: half (rounded up) on the first, the rest on the second, none on the third, which stops answering at 10-14 s. */
function onThreeNodes(): RunRecord {
  const record = makePassingRecord();
  record.brokerNodes = NODES.map((node) => ({ node, connectionMax: 400 }));
  record.broker = record.broker.map((s) => {
    const away = s.t >= 10 && s.t < 14;
    const first = Math.ceil(s.connections / 2);
    const counts = [first, s.connections - first, 0];
    const nodes = NODES.flatMap((node, i) => (away && i === 2 ? [] : [{ node, connections: counts[i]!, channels: counts[i]!, connectionsOpened: 0, connectionsClosed: 0, channelsOpened: 0, channelsClosed: 0 }]));
    return { ...s, nodes, ...(away ? { missingNodes: [NODES[2]!] } : {}) };
  });
  record.sampling = { intervalMs: 250, samples: record.broker.length, expected: record.broker.length, gaps: [], ...record.sampling, nodes: NODES.map((node, i) => ({ node, samples: 100, gaps: i === 2 ? [{ from: 10, to: 14, seconds: 4, reason: 'rabbit-3@h: scrape failed: connect ECONNREFUSED' }] : [] })) };
  return record;
}

describe('reports of a broker of several nodes', () => {
  it('adds one chart per resource, stacked by node, right after the totals; a single node keeps its five', () => {
    expect(runChartSpecs(makePassingRecord()).map((c) => c.id)).toEqual(['connections', 'latency', 'status', 'churn', 'dropped']);
    expect(runChartSpecs(onThreeNodes()).map((c) => c.id)).toEqual(['connections', 'nodes-connections', 'nodes-channels', 'latency', 'status', 'churn', 'dropped']);
  });

  it('stacks each node on the ones before it, so the last band is the total', () => {
    const record = onThreeNodes();
    const stacked = stackedNodeSeries(record.broker, NODES, 'connections');
    record.broker.forEach((s, i) => {
      expect(stacked[2]![i]!.y).toBe(s.connections);
      expect(stacked[0]![i]!.y).toBe(s.nodes![0]!.connections);
    });
  });

  it('draws the bands in the SVG fallback and in the PNG', async () => {
    const spec = runChartSpecs(onThreeNodes()).find((c) => c.id === 'nodes-connections')!;
    const svg = renderSvgChart(spec.config, 1200, 500);
    for (const node of NODES) expect(svg).toContain(node);
    expect(svg.match(/<polygon /g)?.length ?? 0).toBeGreaterThanOrEqual(3);
    const [png] = await renderCharts([spec]);
    if (png?.png) expect(rowsWithColor(decodePng(png.png), NODE_COLORS[0], 0).length).toBeGreaterThan(0);
  });

  it('lists each node in summary.md and report.html, with the time it did not answer', () => {
    const md = renderSummaryMarkdown(onThreeNodes());
    expect(md).toContain('# Broker nodes');
    expect(md).toMatch(/\| rabbit-3@h \| 400 \| 0 \| 0 \| 0 \| 0 \| 1 gap, 4 s \|/);
    expect(md).toMatch(/\| rabbit-1@h \| 400 \| \d+ \| \d+ \| \d+ \| \d+ \| none \|/);
    const html = renderReportHtml(onThreeNodes(), []);
    expect(html).toContain('id="broker-nodes"');
    expect(renderSummaryMarkdown(makePassingRecord())).not.toContain('Broker nodes');
  });

  it('rushgate compare: one line per node of each run, broken where the node did not answer; absent when no run had several nodes', async () => {
    const runs = [
      { label: 'cluster', record: onThreeNodes() },
      { label: 'single', record: makePassingRecord() },
    ];
    const specs = compareChartSpecs(runs);
    expect(specs.map((c) => c.id).slice(0, 2)).toEqual(['compare-connections', 'compare-nodes-connections']);
    const spec = specs[1]!;
    const datasets = (spec.config.data.datasets as Array<{ label: string; data: Array<{ x: number; y: number | null }> }>);
    expect(datasets.map((d) => d.label.replace(/ \(peak \d+\)$/, ''))).toEqual([...NODES.map((n, i) => `cluster: node ${i + 1} ${n}`), 'single: one node']);
    const third = datasets[2]!.data;
    expect(third.some((p) => p.y === null && p.x > 10 && p.x < 14)).toBe(true);
    expect(third.filter((p) => p.y !== null && p.x >= 10 && p.x < 14)).toEqual([]);
    const record = runs[0]!.record;
    const at = record.broker.find((s) => s.t > 20)!;
    expect(datasets[0]!.data.find((p) => p.x === at.t)?.y).toBe(at.nodes![0]!.connections);
    expect(compareChartSpecs([{ label: 'single', record: makePassingRecord() }]).map((c) => c.id)).not.toContain('compare-nodes-connections');
    const [png] = await renderCharts([spec]);
    if (png?.png) expect(rowsWithColor(decodePng(png.png), RUN_COLORS[0], 0).length).toBeGreaterThan(0);
  });

  it('--prometheus-out: one series per node with a node label, beside the unchanged totals', () => {
    const record = onThreeNodes();
    const text = renderOpenMetrics(record);
    const lines = text.split('\n');
    for (const [i, node] of NODES.entries()) {
      const mine = lines.filter((l) => l.startsWith('rushgate_broker_node_connections{') && l.includes(`node="${node}"`));
      expect(mine).toHaveLength(record.broker.filter((s) => s.nodes?.some((n) => n.node === node)).length);
      const first = record.broker.find((s) => s.nodes?.some((n) => n.node === node))!;
      expect(mine[0]!.endsWith(` ${first.nodes!.find((n) => n.node === node)!.connections} ${(Date.parse(record.loadStartedAt ?? record.startedAt) / 1000 + first.t).toFixed(3)}`), `node ${i + 1}`).toBe(true);
    }
    // Each node's samples together (a series is contiguous in OpenMetrics), in node order.
    const order = lines.filter((l) => l.startsWith('rushgate_broker_node_channels{')).map((l) => /node="([^"]+)"/.exec(l)![1]);
    expect(order.filter((n, i) => i === 0 || n !== order[i - 1])).toEqual(NODES);
    expect(lines.filter((l) => l.startsWith('rushgate_broker_connections{'))).toHaveLength(record.broker.length);
    expect(renderOpenMetrics(makePassingRecord())).not.toContain('rushgate_broker_node_');
  });

  it.skipIf(spawnSync('promtool', ['--version']).status !== 0)('--prometheus-out with nodes backfills into a Prometheus TSDB', { timeout: 30_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'rushgate-om-nodes-'));
    try {
      writeFileSync(join(dir, 'run.om'), renderOpenMetrics(onThreeNodes()));
      const r = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'run.om'), join(dir, 'tsdb')], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
