// Draws a chart configuration as inline SVG, with no native dependency: the report's charts when the
// optional `canvas` package is not installed. Lines (stepped, filled), stacked bars, linear and log y
// axes, two y axes, title, legend; the time axis keeps its scenario-clock and wall-clock labels.
import type { ChartConfiguration } from 'chart.js';
import { escapeHtml as e } from './escape.ts';

type Pt = { x: number; y: number | null };
interface Dataset {
  label?: string;
  type?: string;
  data: Pt[];
  yAxisID?: string;
  borderColor?: string;
  backgroundColor?: string;
  borderWidth?: number;
  borderDash?: number[];
  stepped?: string | boolean;
  fill?: string | boolean;
}
interface Axis {
  type?: string;
  min?: number;
  max?: number;
  suggestedMin?: number;
  suggestedMax?: number;
  position?: string;
  title?: { text?: string };
  afterBuildTicks?: (scale: { ticks: Array<{ value: number }> }) => void;
  ticks?: { callback?: (value: number, index: number, ticks: unknown[]) => unknown };
}

const PAD = { left: 70, right: 70, top: 78, bottom: 62 };
const fmt = (v: number) => (Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : String(Number(v.toPrecision(3))));

function niceTicks(min: number, max: number, count = 6): number[] {
  const span = max - min || 1;
  const raw = span / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const out: number[] = [];
  // From the last tick at or below min to the first at or above max, so the data never touches the frame.
  for (let v = Math.floor(min / step) * step; v < max + step * 0.999; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

export function renderSvgChart(config: ChartConfiguration, width: number, height: number): string {
  const datasets = (config.data.datasets as unknown as Dataset[]).filter((d) => Array.isArray(d.data));
  const options = (config.options ?? {}) as { plugins?: { title?: { text?: string }; subtitle?: { text?: string } }; scales?: Record<string, Axis> };
  const scales = options.scales ?? {};
  const isBar = (d: Dataset) => (d.type ?? config.type) === 'bar';
  const xs = datasets.flatMap((d) => d.data.map((p) => p.x));
  const xAxis = scales['x'] ?? {};
  const xMin = xAxis.min ?? Math.min(...xs, 0);
  const xMax = xAxis.max ?? Math.max(...xs, 1);
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const px = (x: number) => PAD.left + ((x - xMin) / (xMax - xMin || 1)) * plotW;

  // Stacked bars add up per x; each y axis spans what its datasets reach.
  const stackTop = new Map<string, { pos: Map<number, number>; neg: Map<number, number> }>();
  const axisIds = [...new Set(datasets.map((d) => d.yAxisID ?? 'y'))];
  const yScale = new Map<string, { toPx: (v: number) => number; ticks: number[]; log: boolean; axis: Axis }>();
  for (const id of axisIds) {
    const axis = scales[id] ?? {};
    const log = axis.type === 'logarithmic';
    const values: number[] = [];
    const pos = new Map<number, number>();
    const neg = new Map<number, number>();
    for (const d of datasets.filter((d) => (d.yAxisID ?? 'y') === id)) {
      for (const p of d.data) {
        if (p.y === null || !Number.isFinite(p.y)) continue;
        if (isBar(d)) {
          const m = p.y >= 0 ? pos : neg;
          m.set(p.x, (m.get(p.x) ?? 0) + p.y);
        } else values.push(p.y);
      }
    }
    values.push(...pos.values(), ...neg.values());
    stackTop.set(id, { pos: new Map(), neg: new Map() });
    let lo = Math.min(...values, axis.suggestedMin ?? (log ? Infinity : 0));
    let hi = Math.max(...values, axis.suggestedMax ?? -Infinity, log ? 1 : 1);
    if (log) {
      lo = 10 ** Math.floor(Math.log10(Math.max(lo === Infinity ? 1 : lo, 1e-3)));
      hi = 10 ** Math.ceil(Math.log10(Math.max(hi, lo * 10)));
      const ticks: number[] = [];
      for (let v = lo; v <= hi * 1.0001; v *= 10) ticks.push(v);
      const toPx = (v: number) => PAD.top + plotH - ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotH;
      yScale.set(id, { toPx, ticks, log, axis });
    } else {
      const ticks = niceTicks(lo, hi);
      lo = Math.min(lo, ticks[0] ?? lo);
      hi = Math.max(hi, ticks[ticks.length - 1] ?? hi);
      const toPx = (v: number) => PAD.top + plotH - ((v - lo) / (hi - lo || 1)) * plotH;
      yScale.set(id, { toPx, ticks, log, axis });
    }
  }

  const parts: string[] = [];
  const title = options.plugins?.title?.text ?? '';
  const subtitle = options.plugins?.subtitle?.text ?? '';
  parts.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${e(String(title))}</text>`);
  if (subtitle) parts.push(`<text x="${width / 2}" y="38" text-anchor="middle" font-size="12" fill="#555">${e(String(subtitle))}</text>`);

  // Legend in one row under the title.
  let lx = PAD.left;
  for (const d of datasets) {
    const label = d.label ?? '';
    const color = d.borderColor ?? d.backgroundColor ?? '#333';
    parts.push(`<rect x="${lx}" y="48" width="14" height="10" fill="${e(color)}"/><text x="${lx + 18}" y="57" font-size="11">${e(label)}</text>`);
    lx += 28 + label.length * 6.2;
  }

  // Axes: x ticks from the axis's own tick builder (scenario clock, wall clock under it).
  const xTicks = (() => {
    const scale = { ticks: [] as Array<{ value: number }> };
    xAxis.afterBuildTicks?.(scale);
    return scale.ticks.length > 0 ? scale.ticks.map((t) => t.value) : niceTicks(xMin, xMax, 12);
  })();
  const grid = '#e6e6e6';
  for (const v of xTicks) {
    const x = px(v);
    const label = xAxis.ticks?.callback ? xAxis.ticks.callback(v, 0, []) : fmt(v);
    const lines = Array.isArray(label) ? label.map(String) : [String(label)];
    parts.push(`<line x1="${x}" y1="${PAD.top}" x2="${x}" y2="${PAD.top + plotH}" stroke="${grid}"/>`);
    lines.forEach((line, i) =>
      parts.push(`<text x="${x}" y="${PAD.top + plotH + 14 + i * 13}" text-anchor="middle" font-size="10" fill="${i === 0 ? '#333' : '#777'}">${e(line)}</text>`),
    );
  }
  if (xAxis.title?.text) parts.push(`<text x="${PAD.left + plotW / 2}" y="${height - 8}" text-anchor="middle" font-size="11" fill="#555">${e(xAxis.title.text)}</text>`);
  axisIds.forEach((id, i) => {
    const s = yScale.get(id)!;
    const right = i > 0 || s.axis.position === 'right';
    const x = right ? PAD.left + plotW : PAD.left;
    for (const v of s.ticks) {
      const y = s.toPx(v);
      if (i === 0) parts.push(`<line x1="${PAD.left}" y1="${y}" x2="${PAD.left + plotW}" y2="${y}" stroke="${v === 0 ? '#9e9e9e' : grid}"/>`);
      parts.push(`<text x="${right ? x + 6 : x - 6}" y="${y + 4}" text-anchor="${right ? 'start' : 'end'}" font-size="10">${e(fmt(v))}</text>`);
    }
    if (s.axis.title?.text) {
      const tx = right ? width - 12 : 14;
      parts.push(`<text transform="translate(${tx},${PAD.top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="11" fill="#555">${e(s.axis.title.text)}</text>`);
    }
  });
  parts.push(`<rect x="${PAD.left}" y="${PAD.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#bbb"/>`);

  // Bars first (under lines); a bar is as wide as the step between its x values.
  const step = (() => {
    const sorted = [...new Set(xs)].sort((a, b) => a - b);
    let s = Infinity;
    for (let i = 1; i < sorted.length; i++) s = Math.min(s, sorted[i]! - sorted[i - 1]!);
    return Number.isFinite(s) ? s : 1;
  })();
  for (const d of datasets.filter(isBar)) {
    const id = d.yAxisID ?? 'y';
    const s = yScale.get(id)!;
    const tops = stackTop.get(id)!;
    const w = Math.max(1, (px(xMin + step) - px(xMin)) * 0.92);
    for (const p of d.data) {
      if (p.y === null || p.y === 0 || !Number.isFinite(p.y)) continue;
      const m = p.y > 0 ? tops.pos : tops.neg;
      const base = m.get(p.x) ?? 0;
      const top = base + p.y;
      m.set(p.x, top);
      const y1 = s.toPx(Math.max(base, top));
      const y2 = s.toPx(Math.min(base, top));
      parts.push(`<rect x="${(px(p.x) - w / 2).toFixed(1)}" y="${y1.toFixed(1)}" width="${w.toFixed(1)}" height="${Math.max(0.5, y2 - y1).toFixed(1)}" fill="${e(d.backgroundColor ?? '#888')}"><title>${e(`${d.label ?? ''}: ${fmt(p.y)}`)}</title></rect>`);
    }
  }
  for (const d of datasets.filter((d) => !isBar(d))) {
    const s = yScale.get(d.yAxisID ?? 'y')!;
    const segments: string[][] = [[]];
    let prev: { x: number; y: number } | undefined;
    for (const p of d.data) {
      if (p.y === null || !Number.isFinite(p.y)) {
        if (segments[segments.length - 1]!.length > 0) segments.push([]);
        prev = undefined;
        continue;
      }
      const seg = segments[segments.length - 1]!;
      const x = px(p.x);
      const y = s.toPx(p.y);
      if (d.stepped && prev) seg.push(`${x.toFixed(1)},${prev.y.toFixed(1)}`);
      seg.push(`${x.toFixed(1)},${y.toFixed(1)}`);
      prev = { x, y };
    }
    for (const seg of segments.filter((g) => g.length > 0)) {
      if (d.fill === 'origin') {
        const base = s.toPx(s.log ? s.ticks[0]! : 0).toFixed(1);
        const first = seg[0]!.split(',')[0];
        const last = seg[seg.length - 1]!.split(',')[0];
        parts.push(`<polygon points="${first},${base} ${seg.join(' ')} ${last},${base}" fill="${e(d.backgroundColor ?? 'none')}" stroke="none"/>`);
      }
      const dash = d.borderDash ? ` stroke-dasharray="${d.borderDash.join(' ')}"` : '';
      parts.push(`<polyline points="${seg.join(' ')}" fill="none" stroke="${e(d.borderColor ?? '#333')}" stroke-width="${d.borderWidth ?? 2}"${dash}><title>${e(d.label ?? '')}</title></polyline>`);
    }
  }

  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" role="img"><rect width="100%" height="100%" fill="white"/>${parts.join('')}</svg>`;
}
