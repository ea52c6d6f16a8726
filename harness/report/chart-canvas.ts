// chartjs-node-canvas loads Chart.js through require() (its CommonJS build), which is what works from
// ESM on Node 20; we only construct it lazily, once per size, because each construction re-requires it.
import type { ChartConfiguration } from 'chart.js';
import { ChartJSNodeCanvas } from 'chartjs-node-canvas';

export const CHART_WIDTH = 1200;
export const CHART_HEIGHT = 460;

const canvases = new Map<string, ChartJSNodeCanvas>();

function canvasFor(width: number, height: number): ChartJSNodeCanvas {
  const key = `${width}x${height}`;
  let canvas = canvases.get(key);
  if (!canvas) {
    canvas = new ChartJSNodeCanvas({
      width,
      height,
      backgroundColour: 'white',
      chartCallback: (ChartJS) => {
        ChartJS.defaults.font.family = '"DejaVu Sans", "Helvetica Neue", Arial, sans-serif';
        ChartJS.defaults.font.size = 12;
        ChartJS.defaults.color = '#2b2b2b';
      },
    });
    canvases.set(key, canvas);
  }
  return canvas;
}

export async function renderPng(config: ChartConfiguration, width = CHART_WIDTH, height = CHART_HEIGHT): Promise<Buffer> {
  return canvasFor(width, height).renderToBuffer(config, 'image/png');
}
