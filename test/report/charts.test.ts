import { describe, expect, it } from 'vitest';
import { CHART_HEIGHT, CHART_WIDTH, canvasAvailable } from '../../harness/report/chart-canvas.ts';
import { COLORS, incidentBands, xRange } from '../../harness/report/chart-common.ts';
import { renderCharts, runChartSpecs } from '../../harness/report/run-charts.ts';
import { makeLeakyRecord, makePassingRecord } from '../fixtures/run-records.ts';
import { decodePng, rowsWithColor } from './png.ts';

// canvas is optional and loaded on first use: load it with the file, not inside the first test's time.
await canvasAvailable();

describe('run charts', () => {
  it('renders the five charts as valid PNGs of the expected size', async () => {
    const charts = await renderCharts(runChartSpecs(makeLeakyRecord({ fault: true })));
    expect(charts.map((c) => c.file)).toEqual(['connections.png', 'latency.png', 'status.png', 'churn.png', 'dropped.png']);
    for (const chart of charts) {
      const png = decodePng(chart.png!);
      expect({ file: chart.file, width: png.width, height: png.height }).toEqual({ file: chart.file, width: CHART_WIDTH, height: CHART_HEIGHT });
    }
  });

  it("draws the leaky run's connections up to the cap and the shared run's flat near the bottom", async () => {
    const [leaky] = await renderCharts(runChartSpecs(makeLeakyRecord()).slice(0, 1));
    const [shared] = await renderCharts(runChartSpecs(makePassingRecord()).slice(0, 1));
    // Below the title and legend, the connections line is the only thing in this exact red.
    const plotTop = 85;
    const leakyRows = rowsWithColor(decodePng(leaky!.png!), COLORS.connections, plotTop);
    const sharedRows = rowsWithColor(decodePng(shared!.png!), COLORS.connections, plotTop);
    expect(leakyRows.length).toBeGreaterThan(150); // a tall climb
    expect(sharedRows.length).toBeLessThan(6); // a flat line a few pixels thick
    expect(Math.min(...leakyRows)).toBeLessThan(Math.min(...sharedRows) - 150);
  });

  it('labels the x axis with the scenario clock and titles the axes with units', () => {
    const record = makeLeakyRecord();
    const [connections] = runChartSpecs(record);
    const scales = connections!.config.options!.scales as Record<string, { title?: { text?: string }; ticks?: { callback?: (v: number) => string } }>;
    expect(scales['x']!.ticks!.callback!(15)).toBe('07:45');
    expect(scales['x']!.ticks!.callback!(-2)).toBe('-2s');
    expect(scales['x']!.title!.text).toContain('scenario clock (HH:MM)');
    expect(scales['y']!.title!.text).toBe('open connections / channels (count)');
    expect(scales['rps']!.title!.text).toBe('requests per second');
  });

  it('shades the peak phases and the fault window, with a never-ended fault running to the end', () => {
    const record = makeLeakyRecord({ fault: true });
    const bands = incidentBands(record, xRange(record));
    expect(bands.map((b) => [b.label, b.from, b.to])).toEqual([
      ['peak-1 07:45', 15, 23],
      ['fault: broker-pause', 27, 30],
      ['peak-2 09:30', 35, 39],
    ]);
    record.events = record.events.filter((e) => e.kind !== 'fault-end');
    const open = incidentBands(record, xRange(record)).find((b) => b.label.startsWith('fault'))!;
    expect(open.to).toBe(xRange(record).max);
  });

  it('groups a long run into buckets, keeping per-second units and the broker peaks', () => {
    const base = makeLeakyRecord();
    const n = base.load.length;
    const long = makeLeakyRecord();
    long.load = [];
    long.broker = [];
    for (let k = 0; k < 12; k++) {
      long.load.push(...base.load.map((s) => ({ ...s, t: s.t + k * n })));
      long.broker.push(...base.broker.filter((b) => b.t >= 0 && b.t < n).map((b) => ({ ...b, t: b.t + k * n })));
    }
    long.broker[1000] = { ...long.broker[1000]!, connections: 5000 };
    const [connections, , status] = runChartSpecs(long);
    const bars = status!.config.data.datasets[0]!.data as Array<{ x: number; y: number }>;
    expect(bars.length).toBeLessThanOrEqual(150);
    expect(Math.max(...bars.map((b) => b.y))).toBeLessThanOrEqual(60); // still per second, not per bucket
    expect((status!.config.options!.plugins!.subtitle as { text: string }).text).toContain('5-s buckets, per-second averages');
    const line = connections!.config.data.datasets[0]!.data as Array<{ x: number; y: number }>;
    expect(line.length).toBeLessThanOrEqual(501);
    expect(Math.max(...line.map((p) => p.y))).toBe(5000);
  });

  it('uses a log latency axis when timeouts and fast answers mix, a linear one otherwise', () => {
    const leakyLatency = runChartSpecs(makeLeakyRecord())[1]!;
    const sharedLatency = runChartSpecs(makePassingRecord())[1]!;
    const yType = (spec: typeof leakyLatency) => (spec.config.options!.scales as Record<string, { type: string }>)['y']!.type;
    expect(yType(leakyLatency)).toBe('logarithmic');
    expect(yType(sharedLatency)).toBe('linear');
  });
});
