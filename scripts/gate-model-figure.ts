// Draws docs/gate-model.png, the README's picture of the gate model: broker connections against requests
// served for three services under the same step ladder (10 to 50 req/s, cool-downs between). Synthetic
// series, drawn with the reports' own chart code:  node --import tsx scripts/gate-model-figure.ts
import { writeFileSync } from 'node:fs';
import type { ChartConfiguration } from 'chart.js';
import { renderPng } from '../harness/report/chart-canvas.ts';
import { COLORS } from '../harness/report/chart-common.ts';
import { mulberry32 } from '../scenarios/payloads.ts';

const OUT = new URL('../docs/gate-model.png', import.meta.url).pathname;
const STEP_SEC = 10;
const COOL_SEC = 4;
const rand = mulberry32(11);

/** Offered rate at t: plateaus at 10..50 req/s, each followed by a cool-down without load. */
function rpsAt(t: number): number {
  const k = Math.floor(t / (STEP_SEC + COOL_SEC));
  return k < 5 && t - k * (STEP_SEC + COOL_SEC) < STEP_SEC ? 10 * (k + 1) : 0;
}
/** Requests in flight at `rps` with 200 ms each (Little's law), give or take one. */
const inFlight = (rps: number) => (rps === 0 ? 0 : Math.max(0, Math.round(rps * 0.2 + (rand() - 0.5) * 2.2)));

const series = { pool: [] as Array<{ x: number; y: number }>, leak: [] as Array<{ x: number; y: number }>, perRequest: [] as Array<{ x: number; y: number }> };
let requests = 0;
const end = 5 * STEP_SEC + 4 * COOL_SEC + 3;
for (let t = 0; t <= end; t += 0.25) {
  const rps = rpsAt(t);
  requests += rps * 0.25;
  series.pool.push({ x: requests, y: Math.min(5, Math.ceil(requests / 40)) });
  series.leak.push({ x: requests, y: Math.floor(requests / 50) });
  series.perRequest.push({ x: requests, y: inFlight(rps) });
}

const line = (label: string, data: Array<{ x: number; y: number }>, color: string, width = 2.5) => ({
  label, data, borderColor: color, backgroundColor: color, borderWidth: width, pointRadius: 0, showLine: true, stepped: true as const,
});
const config: ChartConfiguration<'scatter'> = {
  type: 'scatter',
  data: {
    datasets: [
      line('leak (a connection every 50 requests, never closed): keeps pace with requests served, fails growth and residue', series.leak, COLORS.connections),
      line('per request (opened and closed each time): rises and falls with the load, fails growth and churn', series.perRequest, '#6a1b9a', 2),
      line('pool (filled lazily up to 5, then kept): bounded, passes', series.pool, '#2e7d32', 3.5),
    ],
  },
  options: {
    responsive: false,
    animation: false,
    plugins: {
      title: { display: true, text: 'Broker connections against requests served, same step ladder (10 to 50 req/s, cool-downs between)', font: { size: 15 } },
      legend: { position: 'bottom', labels: { boxWidth: 18 } },
    },
    scales: {
      x: { type: 'linear', min: 0, max: Math.ceil(requests / 100) * 100, title: { display: true, text: 'requests served (cumulative)' }, grid: { color: COLORS.grid } },
      y: { min: 0, title: { display: true, text: 'open connections' }, grid: { color: COLORS.grid } },
    },
  },
};

writeFileSync(OUT, await renderPng(config as ChartConfiguration, 1100, 500));
console.log(`wrote ${OUT}`);
