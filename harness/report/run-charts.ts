// The charts of one run (five, plus one per resource stacked by node on a cluster), as Chart.js configurations (pure) and as PNGs (rendered).
import type { ChartConfiguration } from 'chart.js';
import type { RunRecord } from '../run-record.ts';
import { breakAtGaps } from './chart-annotations.ts';
import { CHART_HEIGHT, CHART_WIDTH, canvasAvailable, prepareCanvas, renderPng } from './chart-canvas.ts';
import { renderSvgChart } from './chart-svg.ts';
import { COLORS, countAxis, logTickLabel, titlePlugins } from './chart-common.ts';
import { perSecondDelta } from './broker-series.ts';
import { callLatencyChart } from './call-charts.ts';
import { bucketSeries, perSecond, thinSamples } from './chart-data.ts';
import { fmtInt, fmtMs, fmtRate, statusClassTotal, sumValues } from './format.ts';
import { chartContext } from './chart-context.ts';
import { nodeChart } from './node-charts.ts';
import { connectionMax } from './run-view.ts';

export interface ChartSpec {
  id: string;
  /** File name under charts/. */
  file: string;
  title: string;
  /** One line for the HTML report under the image. */
  caption: string;
  config: ChartConfiguration;
}

/** A PNG when the optional canvas package is installed, otherwise an inline SVG. */
export interface RenderedChart extends Omit<ChartSpec, 'config'> {
  png?: Buffer;
  svg?: string;
  renderMs: number;
}

/** Per-second values are drawn across their second, not at its start. */
type Pt = { x: number; y: number | null };

const mid = (t: number): number => t + 0.5;


/** Bar charts default to an offset category grid; ours is a time axis whose grid sits on the ticks. */
function barAxis<T extends { grid: object }>(axis: T): T & { offset: false } {
  return { ...axis, offset: false, grid: { ...axis.grid, offset: false } };
}

export function connectionsChart(record: RunRecord, label?: string): ChartSpec {
  const c = chartContext(record, label);
  const b = record.summary.broker;
  const max = connectionMax(record);
  const peakLoad = Math.max(0, ...record.load.map((s) => Math.max(s.scheduled, s.sent)));
  const config: ChartConfiguration<'line'> = {
    type: 'line',
    data: {
      datasets: [
        { label: 'broker connections (target)', data: breakAtGaps(thinSamples(record.broker, 'connections'), record.sampling?.gaps), yAxisID: 'y', borderColor: COLORS.connections, backgroundColor: COLORS.connections, borderWidth: 3, pointRadius: 0, order: 0 },
        { label: 'broker channels (target)', data: breakAtGaps(thinSamples(record.broker, 'channels'), record.sampling?.gaps), yAxisID: 'y', borderColor: COLORS.channels, backgroundColor: COLORS.channels, borderWidth: 2, borderDash: [7, 4], pointRadius: 0, order: 1 },
        { label: 'offered load (scheduled req/s)', data: c.buckets.map((b) => ({ x: b.t, y: perSecond(b, (s) => s.scheduled) })), yAxisID: 'rps', stepped: 'after', borderColor: COLORS.offeredLine, backgroundColor: COLORS.offered, fill: 'origin', borderWidth: 1, pointRadius: 0, order: 3 },
        { label: 'achieved load (sent req/s)', data: c.buckets.map((b) => ({ x: b.t, y: perSecond(b, (s) => s.sent) })), yAxisID: 'rps', stepped: 'after', borderColor: COLORS.achieved, backgroundColor: COLORS.achieved, borderWidth: 1.5, pointRadius: 0, order: 2 },
      ],
    },
    options: {
      plugins: titlePlugins(
        `Broker connections and channels against load — ${c.name}`,
        `connections: baseline ${fmtInt(b.baselineConnections)}, peak ${fmtInt(b.peakConnections)}, final ${fmtInt(b.finalConnections)}` +
          (max === undefined ? '' : `; connection_max ${fmtInt(max)}`) +
          ` · shaded: incident peaks and faults${c.gapNote}`,
        true,
        true,
      ),
      scales: {
        x: c.x,
        y: countAxis('open connections / channels (count)', { position: 'left', suggestedMax: connectionsAxisMax(b.peakConnections, b.peakChannels, max) }),
        rps: { ...countAxis('requests per second'), position: 'right', grid: { display: false }, suggestedMax: peakLoad * 1.15 },
      },
    },
    plugins: c.brokerPlugins(max === undefined ? [] : [{ y: max, axis: 'y', label: `connection_max = ${fmtInt(max)}`, color: COLORS.connectionMax }]),
  };
  return {
    id: 'connections',
    file: 'connections.png',
    title: 'Connections and channels against load',
    caption: `Target's broker connections (red) and channels (orange, dashed) on the left axis; offered and achieved request rate on the right. Peak ${fmtInt(b.peakConnections)} connections from a baseline of ${fmtInt(b.baselineConnections)}.`,
    config: config as unknown as ChartConfiguration,
  };
}

/** Room above a flat line so "2 connections" does not sit on the frame, and connection_max in view. */
export function connectionsAxisMax(peakConnections: number, peakChannels: number, connectionMax?: number): number {
  const peak = Math.max(peakConnections, peakChannels);
  const room = Math.max(peak * 1.15, peak + 3);
  return connectionMax === undefined ? room : Math.max(room, connectionMax * 1.1);
}

export function latencyChart(record: RunRecord, label?: string): ChartSpec {
  const c = chartContext(record, label);
  const answered = record.load.filter((s) => s.completed > 0);
  // Per bucket: the median weighted by responses, and the worst second for the tail percentiles.
  const point = (pick: (s: RunRecord['load'][number]) => number, worst: boolean) =>
    c.buckets.map((b) => {
      const live = b.seconds.filter((s) => s.completed > 0 && pick(s) > 0);
      if (live.length === 0) return { x: c.mid(b), y: null };
      if (worst) return { x: c.mid(b), y: Math.max(...live.map(pick)) };
      const n = live.reduce((a, s) => a + s.completed, 0);
      return { x: c.mid(b), y: live.reduce((a, s) => a + pick(s) * s.completed, 0) / n };
    });
  const positives = answered.flatMap((s) => [s.latency.p50, s.latency.p99]).filter((v) => v > 0);
  const lo = positives.length > 0 ? Math.min(...positives) : 1;
  const hi = positives.length > 0 ? Math.max(...positives) : 1;
  // Saturation mixes millisecond answers with multi-second timeouts; only a log axis shows both.
  const log = hi / lo > 30;
  const l = record.summary.latency;
  const config: ChartConfiguration<'line'> = {
    type: 'line',
    data: {
      datasets: [
        { label: 'p99', data: point((s) => s.latency.p99, true), borderColor: COLORS.p99, backgroundColor: COLORS.p99, borderWidth: 2.5, pointRadius: 0, spanGaps: false },
        { label: 'p90', data: point((s) => s.latency.p90, true), borderColor: COLORS.p90, backgroundColor: COLORS.p90, borderWidth: 2, pointRadius: 0, spanGaps: false },
        { label: 'p50 (median)', data: point((s) => s.latency.p50, false), borderColor: COLORS.p50, backgroundColor: COLORS.p50, borderWidth: 2, pointRadius: 0, spanGaps: false },
      ],
    },
    options: {
      plugins: titlePlugins(
        `Response latency per second (p50 / p90 / p99) — ${c.name}`,
        `whole run: p50 ${fmtMs(l.p50)}, p90 ${fmtMs(l.p90)}, p99 ${fmtMs(l.p99)}, max ${fmtMs(l.max)}` + (log ? ' · log scale' : '') +
          (c.size > 1 ? ` · ${c.size}-s buckets, worst second for p90/p99` : ''),
        true,
        true,
      ),
      scales: {
        x: c.x,
        y: log
          ? { type: 'logarithmic', grid: { color: COLORS.grid }, title: { display: true, text: 'latency (ms, log scale)' }, ticks: { callback: logTickLabel, autoSkip: false } }
          : { type: 'linear', beginAtZero: true, grid: { color: COLORS.grid }, title: { display: true, text: 'latency (ms)' } },
      },
    },
    plugins: c.plugins(),
  };
  return {
    id: 'latency',
    file: 'latency.png',
    title: 'Latency percentiles over time',
    caption: `Latency of the responses completed in each second; gaps are seconds with no response. Whole-run p99 ${fmtMs(l.p99)}.`,
    config: config as unknown as ChartConfiguration,
  };
}

export function statusChart(record: RunRecord, label?: string): ChartSpec {
  const c = chartContext(record, label);
  const series = (pick: (s: RunRecord['load'][number]) => number) => c.buckets.map((b) => ({ x: c.mid(b), y: perSecond(b, pick) }));
  const total = (cls: string) => record.load.reduce((n, s) => n + statusClassTotal(s.status, cls), 0);
  const classes = [
    { cls: '2', label: '2xx', color: COLORS.s2xx },
    { cls: '3', label: '3xx', color: COLORS.s3xx },
    { cls: '4', label: '4xx', color: COLORS.s4xx },
    { cls: '5', label: '5xx', color: COLORS.s5xx },
  ].filter((k) => k.cls !== '3' || total('3') > 0);
  const noResponse = record.load.reduce((n, s) => n + sumValues(s.errors), 0);
  const s = record.summary;
  const config: ChartConfiguration<'bar', Pt[]> = {
    type: 'bar',
    data: {
      datasets: [
        ...classes.map((k) => ({ label: k.label, data: series((sec) => statusClassTotal(sec.status, k.cls)), backgroundColor: k.color, stack: 'responses' })),
        { label: 'no response (timeout / reset / refused)', data: series((sec) => sumValues(sec.errors)), backgroundColor: COLORS.noResponse, stack: 'responses' },
      ],
    },
    options: {
      datasets: { bar: { barPercentage: 1, categoryPercentage: 0.92 } },
      plugins: titlePlugins(
        `Responses per second by status — ${c.name}`,
        `whole run: ${fmtInt(statusClassTotal(s.status, '2'))} 2xx, ${fmtInt(statusClassTotal(s.status, '4'))} 4xx, ${fmtInt(statusClassTotal(s.status, '5'))} 5xx, ${fmtInt(noResponse)} without response${c.bucketNote}`,
      ),
      scales: { x: barAxis(c.x), y: { ...countAxis('responses per second'), stacked: true } },
    },
    plugins: c.plugins(),
  };
  return {
    id: 'status',
    file: 'status.png',
    title: 'Status codes per second',
    caption:
      `Responses per second stacked by status class; purple are requests that got no HTTP answer. ${fmtInt(statusClassTotal(s.status, '4'))} 4xx, ` +
      `${fmtInt(statusClassTotal(s.status, '5'))} 5xx, ${fmtInt(noResponse)} without answer in total` +
      `${s.classes ? `; ${fmtInt(s.classes.refused)} answers were refused by design (statuses the scenario expects), ${fmtInt(s.classes.failed)} failed` : ''}.`,
    config: config as unknown as ChartConfiguration,
  };
}

export function churnChart(record: RunRecord, label?: string): ChartSpec {
  const c = chartContext(record, label);
  const opened = bucketSeries(perSecondDelta(record, 'connectionsOpened'), c.size);
  const closed = bucketSeries(perSecondDelta(record, 'connectionsClosed'), c.size);
  const requests = record.summary.requests;
  const b = record.summary.broker;
  const per1000 = requests > 0 ? (1000 * b.connectionsOpened) / requests : 0;
  const config: ChartConfiguration<'bar', Pt[]> = {
    type: 'bar',
    data: {
      datasets: [
        { label: 'connections opened per second', data: c.buckets.map((b, i) => ({ x: c.mid(b), y: opened[i] ?? null })), backgroundColor: COLORS.opened, stack: 'churn' },
        { label: 'connections closed per second (drawn below zero)', data: c.buckets.map((b, i) => ({ x: c.mid(b), y: closed[i] == null ? null : -closed[i]! })), backgroundColor: COLORS.closed, stack: 'churn' },
      ],
    },
    options: {
      datasets: { bar: { barPercentage: 1, categoryPercentage: 0.92 } },
      plugins: titlePlugins(
        `Connection churn: opened and closed per second — ${c.name}`,
        `${fmtInt(b.connectionsOpened)} opened, ${fmtInt(b.connectionsClosed)} closed during the run (${fmtRate(per1000)} opened per 1,000 requests)${c.bucketNote}${c.gapNote}`,
      ),
      scales: {
        x: barAxis(c.x),
        y: {
          ...countAxis('connections per second (opened ↑ / closed ↓)'),
          stacked: true,
          // A run without churn still gets a visible zero line in the middle rather than an empty frame.
          suggestedMin: -1,
          suggestedMax: 1,
          beginAtZero: false,
          grid: { color: (ctx: { tick?: { value: number } }) => (ctx.tick?.value === 0 ? '#9e9e9e' : COLORS.grid) },
          ticks: { precision: 0, callback: (v: number | string) => fmtInt(Math.abs(Number(v))) },
        },
      },
    },
    plugins: c.brokerPlugins(),
  };
  return {
    id: 'churn',
    file: 'churn.png',
    title: 'Connection churn',
    caption: `Broker connections opened (up) and closed (down) per second, from the broker's cumulative counters: ${fmtRate(per1000)} opened per 1,000 requests.`,
    config: config as unknown as ChartConfiguration,
  };
}

export function droppedChart(record: RunRecord, label?: string): ChartSpec {
  const c = chartContext(record, label);
  const s = record.summary;
  const config: ChartConfiguration<'bar', Pt[]> = {
    type: 'bar',
    data: {
      datasets: [{ label: 'requests dropped per second', data: c.buckets.map((bk) => ({ x: c.mid(bk), y: perSecond(bk, (sec) => sec.dropped) })), backgroundColor: COLORS.dropped }],
    },
    options: {
      datasets: { bar: { barPercentage: 1, categoryPercentage: 0.92 } },
      plugins: titlePlugins(
        `Dropped requests per second (scheduled but not sent: in-flight limit reached) — ${c.name}`,
        s.dropped === 0 ? 'none dropped: the driver sent every scheduled request' : `${fmtInt(s.dropped)} of ${fmtInt(s.scheduled)} scheduled requests dropped${c.bucketNote}`,
        false,
      ),
      scales: { x: barAxis(c.x), y: countAxis('dropped requests per second', { suggestedMax: 1 }) },
    },
    plugins: c.plugins(),
  };
  return {
    id: 'dropped',
    file: 'dropped.png',
    title: 'Dropped requests',
    caption:
      s.dropped === 0
        ? 'No request was dropped: the target kept up with the schedule.'
        : `${fmtInt(s.dropped)} scheduled requests were never sent because too many were already waiting for an answer.`,
    config: config as unknown as ChartConfiguration,
  };
}

export function runChartSpecs(record: RunRecord, label?: string): ChartSpec[] {
  // Several broker nodes: each node stacked to the total, right after the totals' chart.
  const perNode = [nodeChart(record, 'connections', label), nodeChart(record, 'channels', label)].filter((c): c is ChartSpec => c !== undefined);
  const [connections, ...rest] = [connectionsChart, latencyChart, statusChart, churnChart, droppedChart].map((make) => make(record, label));
  const charts = [connections!, ...perNode, ...rest];
  return record.calls && Object.keys(record.calls).length > 0 ? [...charts, callLatencyChart(record, label)] : charts;
}

export async function renderCharts(specs: ChartSpec[]): Promise<RenderedChart[]> {
  const out: RenderedChart[] = [];
  const png = await canvasAvailable();
  if (png) prepareCanvas();
  for (const { config, ...rest } of specs) {
    const started = performance.now();
    const image = png ? { png: await renderPng(config) } : { svg: renderSvgChart(config, CHART_WIDTH, CHART_HEIGHT) };
    out.push({ ...rest, ...image, renderMs: performance.now() - started });
  }
  return out;
}
