// Pieces every chart shares: the scenario-clock x axis, the shaded incident and fault windows, titles.
import type { RunRecord } from '../run-record.ts';
import type { Band, VLine } from './chart-annotations.ts';
import { isIncidentPhase } from './run-view.ts';

export const COLORS = {
  connections: '#c62828',
  channels: '#ef6c00',
  offered: 'rgba(96, 125, 139, 0.22)',
  offeredLine: '#90a4ae',
  achieved: '#37474f',
  p50: '#2e7d32',
  p90: '#f9a825',
  p99: '#c62828',
  s2xx: '#43a047',
  s3xx: '#00acc1',
  s4xx: '#fb8c00',
  s5xx: '#d32f2f',
  noResponse: '#6a1b9a',
  opened: '#c62828',
  closed: '#1565c0',
  dropped: '#6d4c41',
  connectionMax: '#7f0000',
  abort: '#212121',
  grid: 'rgba(0, 0, 0, 0.07)',
} as const;

/** Distinct colours for runs overlaid on one comparison chart; the first is the "before". */
export const RUN_COLORS = ['#c62828', '#1565c0', '#2e7d32', '#6a1b9a', '#ef6c00'] as const;

export interface XRange {
  min: number;
  max: number;
}

/** From the idle baseline before the load to the last broker sample after the cool-down. */
export function xRange(record: RunRecord): XRange {
  const lastLoad = record.load.length > 0 ? record.load[record.load.length - 1]!.t + 1 : 0;
  let min = 0;
  let max = Math.max(lastLoad, record.scenario.wallDurationSec, 1);
  for (const s of record.broker) {
    if (s.t < min) min = s.t;
    if (s.t > max) max = s.t;
  }
  return { min, max };
}

export function mergeRanges(ranges: XRange[]): XRange {
  return { min: Math.min(...ranges.map((r) => r.min)), max: Math.max(...ranges.map((r) => r.max)) };
}

function niceStep(span: number, targetTicks: number): number {
  const raw = span / targetTicks;
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

/** A linear axis in wall seconds, labelled with the scenario clock the driver recorded. */
/** `wallAt` adds the wall-clock UTC time under each scenario-clock label, to line a run up with Grafana. */
export function timeAxis(range: XRange, clockAt: (t: number) => string, wallSec: number, wallAt?: (t: number) => string) {
  const step = Math.max(1, niceStep(range.max - range.min, 14));
  // Ticks on multiples of the step from load start (t = 0), not from the baseline's negative start.
  const ticks: Array<{ value: number }> = [];
  for (let v = Math.ceil(range.min / step) * step; v <= range.max + 1e-9; v += step) ticks.push({ value: v });
  return {
    type: 'linear' as const,
    min: range.min,
    max: range.max,
    bounds: 'data' as const,
    grid: { color: COLORS.grid },
    title: {
      display: true,
      text: `scenario clock (HH:MM)${wallAt ? ' over wall-clock UTC' : ''} — ${wallSec} s of wall time; seconds before 0 are the idle baseline`,
    },
    afterBuildTicks: (scale: { ticks: Array<{ value: number }> }) => {
      scale.ticks = ticks.map((t) => ({ ...t }));
    },
    ticks: {
      maxRotation: 0,
      autoSkipPadding: 12,
      callback: (value: number | string) => (wallAt ? [clockAt(Number(value)), wallAt(Number(value))] : clockAt(Number(value))),
    },
  };
}

export function countAxis(title: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'linear' as const,
    beginAtZero: true,
    grace: '6%',
    grid: { color: COLORS.grid },
    title: { display: true, text: title },
    ticks: { precision: 0 },
    ...extra,
  };
}

/** Phases named peak* are the incident windows; fault-start/fault-end events are the chaos windows. */
export function incidentBands(record: RunRecord, range: XRange): Band[] {
  const bands: Band[] = [];
  for (const phase of record.scenario.phases) {
    if (!isIncidentPhase(phase.name)) continue;
    bands.push({ from: phase.startSec, to: phase.endSec, label: `${phase.name} ${phase.clockStart}`, fill: 'rgba(229, 57, 53, 0.09)', text: '#b71c1c' });
  }
  bands.push(...faultBands(record, range));
  return bands.sort((a, b) => a.from - b.from);
}

function faultName(message: string): string {
  const name = message.split(':')[0]!.trim();
  return name.length > 0 && name.length <= 40 ? name : 'fault';
}

function faultBands(record: RunRecord, range: XRange): Band[] {
  const open: Array<{ t: number; name: string }> = [];
  const bands: Band[] = [];
  const band = (from: number, to: number, name: string): Band => ({ from, to, label: `fault: ${name}`, fill: 'rgba(94, 53, 177, 0.14)', text: '#4527a0' });
  for (const ev of [...record.events].sort((a, b) => a.t - b.t)) {
    if (ev.kind === 'fault-start') open.push({ t: ev.t, name: faultName(ev.message) });
    if (ev.kind === 'fault-end') {
      // Close the fault with the same name if there is one, else the oldest still open.
      const name = faultName(ev.message);
      let i = open.findIndex((f) => f.name === name);
      if (i < 0) i = 0;
      const start = open.splice(i, 1)[0];
      if (start) bands.push(band(start.t, ev.t, start.name));
    }
  }
  // A fault never reverted stays shaded to the end of the chart.
  for (const f of open) bands.push(band(f.t, range.max, f.name));
  return bands;
}

export function abortLines(record: RunRecord): VLine[] {
  const a = record.verdict.aborted;
  if (a) return [{ x: a.t, label: `load aborted: ${a.rule}`, color: COLORS.abort }];
  return record.events.filter((e) => e.kind === 'abort').map((e) => ({ x: e.t, label: 'load aborted', color: COLORS.abort }));
}

export function titlePlugins(title: string, subtitle: string, legend = true, lineLegend = false) {
  return {
    title: { display: true, text: title, font: { size: 16, weight: 'bold' as const }, padding: { top: 4, bottom: 2 } },
    subtitle: { display: subtitle.length > 0, text: subtitle, font: { size: 12 }, color: '#555', padding: { bottom: 8 } },
    legend: { display: legend, position: 'top' as const, align: 'end' as const, labels: lineLegend ? { usePointStyle: true, pointStyle: 'line' as const, boxWidth: 30, padding: 14 } : { boxWidth: 14, boxHeight: 10, padding: 12 } },
  };
}

/** Log-scale ticks read best at 1, 2, 5 x 10^n only. */
export function logTickLabel(value: number | string): string {
  const v = Number(value);
  if (!(v > 0)) return '';
  const mantissa = v / 10 ** Math.floor(Math.log10(v) + 1e-9);
  if (![1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6)) return '';
  return v >= 1000 ? `${v / 1000} s` : `${v} ms`;
}
