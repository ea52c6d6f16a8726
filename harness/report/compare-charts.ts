// Before/after charts: several runs of the same scenario overlaid on shared axes, so "the leak climbs
// to the cap while the fix stays flat" is one picture, not two to compare by eye.
import type { ChartConfiguration } from 'chart.js';
import type { RunRecord } from '../run-record.ts';
import { annotationsPlugin, breakAtGaps, type HLine } from './chart-annotations.ts';
import { abortLines, COLORS, countAxis, incidentBands, logTickLabel, mergeRanges, RUN_COLORS, timeAxis, titlePlugins, xRange } from './chart-common.ts';
import { loadBuckets, MAX_POINTS, perSecond, thinSamples, type LoadBucket } from './chart-data.ts';
import { fmtInt, fmtMs, statusClassTotal, sumValues } from './format.ts';
import type { ChartSpec } from './run-charts.ts';
import { connectionsAxisMax } from './run-charts.ts';
import { clockAt, connectionMax } from './run-view.ts';

export interface LabelledRun {
  label: string;
  record: RunRecord;
}

type Pt = { x: number; y: number | null };

/** Lines take more points than bars, but a 10-minute soak still gets grouped into a few hundred. */
function pointBucket(record: RunRecord): number {
  return Math.max(1, Math.ceil(record.load.length / MAX_POINTS));
}

function perBucket(record: RunRecord, value: (b: LoadBucket) => number | null): Pt[] {
  const size = pointBucket(record);
  return loadBuckets(record.load, size).map((b) => ({ x: b.t + size / 2, y: value(b) }));
}

function context(runs: LabelledRun[]) {
  const range = mergeRanges(runs.map((r) => xRange(r.record)));
  // The longest run's driver clock labels the shared axis; runs of one scenario share the clock anyway.
  const longest = runs.reduce((a, b) => (b.record.load.length > a.record.load.length ? b : a)).record;
  const first = runs[0]!.record;
  return {
    range,
    x: timeAxis(range, (t) => clockAt(longest, t), longest.scenario.wallDurationSec),
    color: (i: number) => RUN_COLORS[i % RUN_COLORS.length]!,
    scenario: first.scenario.name,
    plugins: (hlines: HLine[] = []) => [annotationsPlugin({ bands: incidentBands(first, range), hlines, vlines: runs.flatMap((r) => abortLines(r.record)) })],
  };
}

export function compareConnectionsChart(runs: LabelledRun[]): ChartSpec {
  const c = context(runs);
  const first = runs[0]!.record;
  const maxes = [...new Set(runs.map((r) => connectionMax(r.record)).filter((m): m is number => m !== undefined))];
  const peak = Math.max(...runs.map((r) => r.record.summary.broker.peakConnections));
  const peakLoad = Math.max(0, ...runs.flatMap((r) => r.record.load.map((s) => s.scheduled)));
  const config: ChartConfiguration<'line', Pt[]> = {
    type: 'line',
    data: {
      datasets: [
        ...runs.map((r, i) => ({
          label: `${r.label}: broker connections`,
          data: thinSamples(r.record.broker, 'connections'),
          yAxisID: 'y',
          borderColor: c.color(i),
          backgroundColor: c.color(i),
          borderWidth: 3,
          pointRadius: 0,
        })),
        {
          label: 'offered load (scheduled req/s, right axis)',
          data: loadBuckets(first.load, pointBucket(first)).map((b) => ({ x: b.t, y: perSecond(b, (s) => s.scheduled) })),
          yAxisID: 'rps',
          stepped: 'after' as const,
          borderColor: COLORS.offeredLine,
          backgroundColor: COLORS.offered,
          fill: 'origin',
          borderWidth: 1,
          pointRadius: 0,
        },
      ],
    },
    options: {
      plugins: titlePlugins(
        `Broker connections, run against run — ${c.scenario}`,
        `peak connections: ${runs.map((r) => `${r.label} ${fmtInt(r.record.summary.broker.peakConnections)}`).join(' · ')} · shaded: incident peaks and faults`,
        true,
        true,
      ),
      scales: {
        x: c.x,
        y: countAxis('open connections (count)', { position: 'left', suggestedMax: connectionsAxisMax(peak, 0, maxes.length > 0 ? Math.max(...maxes) : undefined) }),
        rps: { ...countAxis('requests per second'), position: 'right', grid: { display: false }, suggestedMax: peakLoad * 1.15 },
      },
    },
    plugins: c.plugins(maxes.map((m) => ({ y: m, axis: 'y', label: `connection_max = ${fmtInt(m)}`, color: COLORS.connectionMax }))),
  };
  return {
    id: 'compare-connections',
    file: 'compare-connections.png',
    title: 'Broker connections, run against run',
    caption: `Each run's target connections on the same axes, with the offered load behind them: ${runs.map((r) => `${r.label} peaked at ${fmtInt(r.record.summary.broker.peakConnections)}`).join(', ')}.`,
    config: config as unknown as ChartConfiguration,
  };
}

/** Dash per node index, so one run's nodes share its colour and still tell apart. */
const NODE_DASHES: number[][] = [[], [9, 4], [2, 3], [12, 3, 2, 3], [5, 5]];

/** One node's connections where it answered, thinned like the totals, broken where that node had a gap. */
function nodeLine(record: RunRecord, node: string): Array<Pt> {
  const answered = record.broker.flatMap((s) => {
    const n = s.nodes?.find((x) => x.node === node);
    return n ? [{ ...s, connections: n.connections }] : [];
  });
  const gaps = record.sampling?.nodes?.find((n) => n.node === node)?.gaps;
  return breakAtGaps(thinSamples(answered, 'connections'), gaps);
}

/**
 * Each node's connections, run against run, for runs on a broker of several nodes (absent when no run
 * had more than one): a failover or a node that saturates first shows per node, which the totals hide.
 * A run's nodes share its colour, each node its own dash; runs on one node draw their total.
 */
export function compareNodesChart(runs: LabelledRun[]): ChartSpec | undefined {
  if (!runs.some((r) => (r.record.brokerNodes?.length ?? 0) > 1)) return undefined;
  const c = context(runs);
  const maxes = [...new Set(runs.flatMap((r) => (r.record.brokerNodes ?? []).map((n) => n.connectionMax)).filter((m): m is number => m !== undefined))];
  const peakOf = (r: RunRecord, node: string) => Math.max(0, ...r.broker.map((s) => s.nodes?.find((n) => n.node === node)?.connections ?? 0));
  const datasets = runs.flatMap((r, i) => {
    const nodes = r.record.brokerNodes?.map((n) => n.node) ?? [];
    if (nodes.length < 2) {
      return [{ label: `${r.label}: one node`, data: thinSamples(r.record.broker, 'connections') as Pt[], borderColor: c.color(i), backgroundColor: c.color(i), borderWidth: 2.5, borderDash: [], pointRadius: 0, spanGaps: false }];
    }
    return nodes.map((node, k) => ({
      label: `${r.label}: node ${k + 1} ${node} (peak ${fmtInt(peakOf(r.record, node))})`,
      data: nodeLine(r.record, node),
      borderColor: c.color(i),
      backgroundColor: c.color(i),
      borderWidth: 2.5,
      borderDash: NODE_DASHES[k % NODE_DASHES.length]!,
      pointRadius: 0,
      spanGaps: false,
    }));
  });
  const peak = Math.max(0, ...runs.flatMap((r) => (r.record.brokerNodes ?? []).map((n) => peakOf(r.record, n.node))), ...runs.filter((r) => (r.record.brokerNodes?.length ?? 0) < 2).map((r) => r.record.summary.broker.peakConnections));
  const config: ChartConfiguration<'line', Pt[]> = {
    type: 'line',
    data: { datasets },
    options: {
      plugins: titlePlugins(
        `Broker connections per node, run against run — ${c.scenario}`,
        `${runs.map((r) => `${r.label} ${r.record.brokerNodes?.length ?? 1} node${(r.record.brokerNodes?.length ?? 1) === 1 ? '' : 's'}`).join(' · ')} · one colour per run, one dash per node`,
        true,
        true,
      ),
      scales: { x: c.x, y: countAxis('open connections per node (count)', { suggestedMax: connectionsAxisMax(peak, 0, maxes.length > 0 ? Math.max(...maxes) : undefined) }) },
    },
    plugins: c.plugins(maxes.map((m) => ({ y: m, axis: 'y', label: `connection_max per node = ${fmtInt(m)}`, color: COLORS.connectionMax }))),
  };
  return {
    id: 'compare-nodes-connections',
    file: 'compare-nodes-connections.png',
    title: 'Broker connections per node, run against run',
    caption: `Each broker node's target connections, one colour per run and one dash per node: ${runs.map((r) => `${r.label} on ${r.record.brokerNodes?.length ?? 1} node${(r.record.brokerNodes?.length ?? 1) === 1 ? '' : 's'}`).join(', ')}.`,
    config: config as unknown as ChartConfiguration,
  };
}

export function compareChannelsChart(runs: LabelledRun[]): ChartSpec {
  const c = context(runs);
  const peak = Math.max(...runs.map((r) => r.record.summary.broker.peakChannels));
  const config: ChartConfiguration<'line', Pt[]> = {
    type: 'line',
    data: {
      datasets: runs.map((r, i) => ({
        label: `${r.label}: broker channels`,
        data: thinSamples(r.record.broker, 'channels'),
        borderColor: c.color(i),
        backgroundColor: c.color(i),
        borderWidth: 2.5,
        borderDash: [7, 4],
        pointRadius: 0,
      })),
    },
    options: {
      plugins: titlePlugins(
        `Broker channels, run against run — ${c.scenario}`,
        `peak channels: ${runs.map((r) => `${r.label} ${fmtInt(r.record.summary.broker.peakChannels)}`).join(' · ')}`,
        true,
        true,
      ),
      scales: { x: c.x, y: countAxis('open channels (count)', { suggestedMax: connectionsAxisMax(peak, 0) }) },
    },
    plugins: c.plugins(),
  };
  return {
    id: 'compare-channels',
    file: 'compare-channels.png',
    title: 'Broker channels, run against run',
    caption: `Each run's target channels: ${runs.map((r) => `${r.label} peaked at ${fmtInt(r.record.summary.broker.peakChannels)}`).join(', ')}.`,
    config: config as unknown as ChartConfiguration,
  };
}

export function compareErrorsChart(runs: LabelledRun[]): ChartSpec {
  const c = context(runs);
  const failed = (r: RunRecord) => r.load.reduce((n, s) => n + statusClassTotal(s.status, '5') + sumValues(s.errors), 0);
  const config: ChartConfiguration<'line', Pt[]> = {
    type: 'line',
    data: {
      datasets: runs.map((r, i) => ({
        label: `${r.label}: 5xx + no response per second`,
        data: perBucket(r.record, (b) => perSecond(b, (s) => statusClassTotal(s.status, '5') + sumValues(s.errors))),
        borderColor: c.color(i),
        backgroundColor: c.color(i),
        borderWidth: 2.5,
        pointRadius: 0,
      })),
    },
    options: {
      plugins: titlePlugins(
        `Failed requests per second (5xx or no response), run against run — ${c.scenario}`,
        `failed in total: ${runs.map((r) => `${r.label} ${fmtInt(failed(r.record))} of ${fmtInt(r.record.summary.requests)}`).join(' · ')}`,
        true,
        true,
      ),
      scales: { x: c.x, y: countAxis('failed requests per second', { suggestedMax: 1 }) },
    },
    plugins: c.plugins(),
  };
  return {
    id: 'compare-errors',
    file: 'compare-errors.png',
    title: 'Failed requests per second',
    caption: `Requests that got a 5xx or no answer, per second: ${runs.map((r) => `${r.label} ${fmtInt(failed(r.record))}`).join(', ')} in total.`,
    config: config as unknown as ChartConfiguration,
  };
}

export function compareLatencyChart(runs: LabelledRun[]): ChartSpec {
  const c = context(runs);
  const values = runs.flatMap((r) => r.record.load.filter((s) => s.completed > 0 && s.latency.p99 > 0).map((s) => s.latency.p99));
  const log = values.length > 0 && Math.max(...values) / Math.min(...values) > 30;
  const config: ChartConfiguration<'line', Pt[]> = {
    type: 'line',
    data: {
      datasets: runs.map((r, i) => ({
        label: `${r.label}: p99 latency`,
        data: perBucket(r.record, (b) => {
          const live = b.seconds.filter((s) => s.completed > 0 && s.latency.p99 > 0);
          return live.length === 0 ? null : Math.max(...live.map((s) => s.latency.p99));
        }),
        borderColor: c.color(i),
        backgroundColor: c.color(i),
        borderWidth: 2.5,
        pointRadius: 0,
        spanGaps: false,
      })),
    },
    options: {
      plugins: titlePlugins(
        `p99 latency per second, run against run — ${c.scenario}`,
        `whole-run p99: ${runs.map((r) => `${r.label} ${fmtMs(r.record.summary.latency.p99)}`).join(' · ')}${log ? ' · log scale' : ''}`,
        true,
        true,
      ),
      scales: {
        x: c.x,
        y: log
          ? { type: 'logarithmic', grid: { color: COLORS.grid }, title: { display: true, text: 'p99 latency (ms, log scale)' }, ticks: { callback: logTickLabel, autoSkip: false } }
          : { type: 'linear', beginAtZero: true, grid: { color: COLORS.grid }, title: { display: true, text: 'p99 latency (ms)' } },
      },
    },
    plugins: c.plugins(),
  };
  return {
    id: 'compare-latency',
    file: 'compare-latency.png',
    title: 'p99 latency per second',
    caption: `p99 latency of the responses completed each second: ${runs.map((r) => `${r.label} ${fmtMs(r.record.summary.latency.p99)}`).join(', ')} over the whole run.`,
    config: config as unknown as ChartConfiguration,
  };
}

export function compareChartSpecs(runs: LabelledRun[]): ChartSpec[] {
  return [compareConnectionsChart, compareNodesChart, compareErrorsChart, compareLatencyChart, compareChannelsChart].map((make) => make(runs)).filter((c) => c !== undefined);
}
