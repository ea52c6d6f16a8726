// chartjs-node-canvas loads Chart.js through require() (its CommonJS build), which is what works from
// ESM on Node 20; we only construct it lazily, once per size, because each construction re-requires it.
// It and its native `canvas` are optional dependencies: without them the reports draw SVG instead of PNG.
import type { ChartConfiguration } from 'chart.js';
import type { ChartJSNodeCanvas } from 'chartjs-node-canvas';

export const CHART_WIDTH = 1200;
export const CHART_HEIGHT = 460;

const canvases = new Map<string, ChartJSNodeCanvas>();
let nodeCanvas: typeof import('chartjs-node-canvas') | undefined;
let loading: Promise<boolean> | undefined;

/** Loads the optional PNG renderer once; false when `canvas` is not installed or its native build failed. */
export function canvasAvailable(): Promise<boolean> {
  loading ??= import('chartjs-node-canvas').then(
    (m) => {
      nodeCanvas = m;
      return true;
    },
    () => false,
  );
  return loading;
}

function canvasFor(width: number, height: number): ChartJSNodeCanvas {
  const key = `${width}x${height}`;
  let canvas = canvases.get(key);
  if (!canvas) {
    if (!nodeCanvas) throw new Error('PNG charts need the optional canvas package; call canvasAvailable() first.');
    canvas = new nodeCanvas.ChartJSNodeCanvas({
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

const warmed = new Set<ChartJSNodeCanvas>();

/**
 * Builds the renderer up front and draws one throw-away chart, so Chart.js loading and Cairo's first
 * font lookup (together ~0.2-0.5 s, once per process) are not billed to the first real chart.
 */
export function prepareCanvas(width = CHART_WIDTH, height = CHART_HEIGHT): void {
  const canvas = canvasFor(width, height);
  if (warmed.has(canvas)) return;
  canvas.renderToBufferSync({ type: 'line', data: { datasets: [{ label: 'warm-up', data: [{ x: 0, y: 0 }] }] }, options: { scales: { x: { type: 'linear' } } } });
  warmed.add(canvas);
}

export async function renderPng(config: ChartConfiguration, width = CHART_WIDTH, height = CHART_HEIGHT): Promise<Buffer> {
  return canvasFor(width, height).renderToBuffer(config, 'image/png');
}
