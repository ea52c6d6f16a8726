// Latency by call: p50/p90/p99/max of each call side by side, so a slow call hides no longer behind a
// fast majority in the whole-run percentiles.
import type { ChartConfiguration } from 'chart.js';
import type { RunRecord } from '../run-record.ts';
import { COLORS, titlePlugins } from './chart-common.ts';
import { fmtMs } from './format.ts';
import type { ChartSpec } from './run-charts.ts';

export function callLatencyChart(record: RunRecord, label?: string): ChartSpec {
  const calls = Object.entries(record.calls ?? {});
  const name = label ?? `${record.target.publisher ?? record.target.kind} · ${record.scenario.name}`;
  const series = [
    { key: 'p50', color: COLORS.p50 },
    { key: 'p90', color: COLORS.p90 },
    { key: 'p99', color: COLORS.p99 },
    { key: 'max', color: '#6a1b9a' },
  ] as const;
  const config: ChartConfiguration<'bar', number[], string> = {
    type: 'bar',
    data: {
      labels: calls.map(([n, c]) => `${n} (${c.method})`),
      datasets: series.map((s) => ({ label: s.key, data: calls.map(([, c]) => c.latency[s.key]), backgroundColor: s.color })),
    },
    options: {
      plugins: titlePlugins(`Latency by call — ${name}`, calls.map(([n, c]) => `${n} p99 ${fmtMs(c.latency.p99)}`).join(' · ')),
      scales: { y: { type: 'logarithmic', title: { display: true, text: 'milliseconds (log scale)' } } },
    },
  };
  const slowest = [...calls].sort((a, b) => b[1].latency.p99 - a[1].latency.p99)[0];
  return {
    id: 'calls-latency',
    file: 'calls-latency.png',
    title: 'Latency by call',
    caption: slowest ? `Whole-run latency percentiles per call; the slowest at p99 is ${slowest[0]} (${fmtMs(slowest[1].latency.p99)}).` : 'No call results in this record.',
    config: config as unknown as ChartConfiguration,
  };
}
