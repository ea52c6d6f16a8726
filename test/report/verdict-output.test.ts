import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { githubAnnotations, verdictJson } from '../../harness/commands/verdict-output.ts';
import { renderSvgChart } from '../../harness/report/chart-svg.ts';
import { renderMetricsSummary, renderOpenMetrics } from '../../harness/report/openmetrics.ts';
import { readRunRecord } from '../../harness/report/write-reports.ts';
import { runChartSpecs } from '../../harness/report/run-charts.ts';
import type { RunRecord } from '../../harness/run-record.ts';
import { REPO_ROOT } from '../../harness/paths.ts';

const saved = await readRunRecord(join(REPO_ROOT, 'test/fixtures/runs/leaky-step-ladder.results.json'));
const hasPromtool = spawnSync('promtool', ['--version']).status === 0;

function withRule(record: RunRecord, name: string, message: string): RunRecord {
  return { ...record, verdict: { ...record.verdict, rules: [...record.verdict.rules, { name, passed: false, limit: 'x', value: '1', message }] } };
}

describe('GitHub annotations', () => {
  it('writes one ::error per failed rule, escaped as workflow commands require', () => {
    const lines = githubAnnotations(withRule(saved, 'odd:rule,name', '100% broken\nsecond line'));
    const failed = saved.verdict.rules.filter((r) => !r.passed);
    expect(lines).toHaveLength(failed.length + 1);
    expect(lines[0]).toBe(`::error title=${failed[0]!.name}::${failed[0]!.message}`);
    expect(lines.at(-1)).toBe('::error title=odd%3Arule%2Cname::100%25 broken%0Asecond line');
  });
});

describe('--json verdict', () => {
  it('is the verdict as JSON with the report paths', () => {
    const json = JSON.parse(verdictJson(saved, ['a/results.json'])) as Record<string, unknown>;
    expect(json).toMatchObject({ passed: false, scenario: 'step-ladder', reports: ['a/results.json'] });
    expect(json.rules).toEqual(saved.verdict.rules);
  });
});

describe('OpenMetrics export', () => {
  const text = renderOpenMetrics(saved);

  it('timestamps each broker sample at load start + t, in seconds', () => {
    const t0 = Date.parse(saved.loadStartedAt!) / 1000;
    const first = saved.broker[0]!;
    const line = text.split('\n').find((l) => l.startsWith('rushgate_broker_connections{'))!;
    expect(line.endsWith(` ${first.connections} ${(t0 + first.t).toFixed(3)}`)).toBe(true);
    expect(text.endsWith('# EOF\n')).toBe(true);
    expect(text).toContain('rushgate_gate_rule_passed{scenario="step-ladder",target="reference/leaky"');
  });

  it.skipIf(!hasPromtool)('backfills into a Prometheus TSDB with promtool', { timeout: 30_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'rushgate-om-'));
    try {
      writeFileSync(join(dir, 'run.om'), text);
      const r = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'run.om'), join(dir, 'tsdb')], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/NUM SAMPLES/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('summarises the run for a GitLab metrics report, one number per line', () => {
    const summary = renderMetricsSummary(saved);
    expect(summary).toContain('rushgate_gate_passed 0\n');
    expect(summary).toContain(`rushgate_broker_connections_peak ${saved.summary.broker.peakConnections}\n`);
    expect(summary.split('\n').filter((l) => l && !l.startsWith('#')).every((l) => /^[a-z0-9_]+ -?[\d.]+$/.test(l))).toBe(true);
  });
});

describe('SVG charts (no canvas)', () => {
  it('draws each chart with scenario-clock labels and the wall-clock UTC time under them', () => {
    const specs = runChartSpecs(saved);
    const svg = renderSvgChart(specs[0]!.config, 1200, 460);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('<polyline');
    const wall = new Date(Date.parse(saved.loadStartedAt!)).toISOString().slice(11, 19);
    expect(svg).toContain(`>${wall}</text>`);
    expect(svg).toContain(`>${saved.load[0]!.clock}</text>`);
    for (const spec of specs.slice(1)) expect(renderSvgChart(spec.config, 1200, 460)).toMatch(/<(rect x|polyline)/);
  });
});
