// A tiny Chart.js plugin that shades time windows (incident peaks, chaos faults) and draws labelled
// reference lines (connection_max, aborts). Inline per chart, so nothing is registered globally.
import type { Chart, Plugin } from 'chart.js';

export interface Band {
  from: number;
  to: number;
  label: string;
  fill: string;
  text: string;
}

export interface HLine {
  y: number;
  /** Scale id of the y axis the value belongs to. */
  axis: string;
  label: string;
  color: string;
}

export interface VLine {
  x: number;
  label: string;
  color: string;
}

export interface Annotations {
  bands?: Band[];
  hlines?: HLine[];
  vlines?: VLine[];
}

/** Holes in the broker sampling (RunRecord.sampling.gaps), for the charts drawn from broker samples. */
export function samplingGapBands(gaps: ReadonlyArray<{ from: number; to: number }> = []): Band[] {
  return gaps.map((g) => ({ from: g.from, to: g.to, label: 'no broker samples', fill: 'rgba(97, 97, 97, 0.2)', text: '#424242' }));
}

/** A broken line across each gap, so a chart never draws a level nobody measured. */
export function breakAtGaps<P extends { x: number }>(points: P[], gaps: ReadonlyArray<{ from: number; to: number }> = []): Array<P | { x: number; y: null }> {
  if (gaps.length === 0) return points;
  const breaks = gaps.map((g) => ({ x: (g.from + g.to) / 2, y: null }));
  return [...points, ...breaks].sort((a, b) => a.x - b.x);
}

const FONT = '11px "DejaVu Sans", sans-serif';
const BOLD_FONT = 'bold 11px "DejaVu Sans", sans-serif';

export function annotationsPlugin(a: Annotations): Plugin {
  return {
    id: 'rushgateAnnotations',
    // Bands go under the data so lines stay crisp; labels and reference lines go over it.
    beforeDatasetsDraw(chart: Chart) {
      const { ctx, chartArea: area } = chart;
      const x = chart.scales['x'];
      if (!x) return;
      ctx.save();
      for (const band of a.bands ?? []) {
        const left = Math.max(x.getPixelForValue(band.from), area.left);
        const right = Math.min(x.getPixelForValue(band.to), area.right);
        if (right <= left) continue;
        ctx.fillStyle = band.fill;
        ctx.fillRect(left, area.top, right - left, area.bottom - area.top);
      }
      ctx.restore();
    },
    afterDatasetsDraw(chart: Chart) {
      const { ctx, chartArea: area } = chart;
      const x = chart.scales['x'];
      if (!x) return;
      ctx.save();
      ctx.font = BOLD_FONT;
      ctx.textBaseline = 'top';
      // Stagger labels of neighbouring bands so short windows do not print over each other.
      let lastRight = -Infinity;
      let row = 0;
      for (const band of a.bands ?? []) {
        const left = Math.max(x.getPixelForValue(band.from), area.left);
        const right = Math.min(x.getPixelForValue(band.to), area.right);
        if (right <= left) continue;
        const width = ctx.measureText(band.label).width;
        row = left < lastRight + 4 ? row + 1 : 0;
        const top = area.top + 3 + row * 15;
        ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
        ctx.fillRect(left + 1, top - 1, width + 5, 14);
        ctx.fillStyle = band.text;
        ctx.fillText(band.label, left + 3, top);
        lastRight = left + 3 + width;
      }
      ctx.font = FONT;
      for (const line of a.hlines ?? []) {
        const y = chart.scales[line.axis];
        if (!y) continue;
        const py = y.getPixelForValue(line.y);
        if (py < area.top || py > area.bottom) continue;
        ctx.strokeStyle = line.color;
        ctx.lineWidth = 1.5;
        ctx.setLineDash([6, 4]);
        ctx.beginPath();
        ctx.moveTo(area.left, py);
        ctx.lineTo(area.right, py);
        ctx.stroke();
        ctx.setLineDash([]);
        // Labelled at the left, where a leak has not reached the line yet.
        const width = ctx.measureText(line.label).width;
        ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
        ctx.fillRect(area.left + 3, py - 16, width + 6, 14);
        ctx.fillStyle = line.color;
        ctx.textAlign = 'left';
        ctx.textBaseline = 'bottom';
        ctx.fillText(line.label, area.left + 6, py - 3);
      }
      for (const line of a.vlines ?? []) {
        const px = x.getPixelForValue(line.x);
        if (px < area.left || px > area.right) continue;
        ctx.strokeStyle = line.color;
        ctx.lineWidth = 1.5;
        ctx.setLineDash([3, 3]);
        ctx.beginPath();
        ctx.moveTo(px, area.top);
        ctx.lineTo(px, area.bottom);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = line.color;
        ctx.textAlign = 'left';
        ctx.textBaseline = 'bottom';
        ctx.fillText(line.label, px + 3, area.bottom - 3);
      }
      ctx.restore();
    },
  };
}
