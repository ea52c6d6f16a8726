// The exported rules, validated and unit-tested by promtool itself: a leak-shaped connection series fires
// the gate's alerts, a pool that fills and levels off does not. CI must have promtool (bootstrap --test
// installs the Debian package `prometheus`); elsewhere the promtool cases skip.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { defaultLimits, parseLimitArgs, withDefaults } from '../../harness/gate/limits.ts';
import { buildAlertRules, SERIES, type AlertingRule } from '../../harness/monitoring/alert-rules.ts';
import { buildDashboard } from '../../harness/monitoring/grafana-dashboard.ts';

const hasPromtool = spawnSync('promtool', ['--version']).status === 0;
if (process.env.CI === 'true' && !hasPromtool) throw new Error('promtool is required in CI: run scripts/bootstrap.sh --test (Debian package prometheus).');

const dir = mkdtempSync(join(tmpdir(), 'rushgate-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Two units and two other clients' connections at rest: the ceiling comes from the gate's own limits.
const opts = { units: 2, baseline: 2 } as const;
const { file } = buildAlertRules(defaultLimits, opts);
const alerts = file.groups.flatMap((g) => g.rules).filter((r): r is AlertingRule => 'alert' in r);
const byName = (name: string) => alerts.find((a) => a.alert === name)!;

const SERIES_LABELS = 'instance="rmq-0:15692",job="rabbitmq"';
const series = (name: string, values: string) => ({ series: `${name}{${SERIES_LABELS}}`, values });
const identity = { series: `rabbitmq_identity_info{${SERIES_LABELS},rabbitmq_node="rabbit@rmq-0"}`, values: '1x120' };

function expectFiring(name: string, evalTime: string, value?: number) {
  const rule = byName(name);
  const annotations = Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, value === undefined ? v : v.replace('{{ $value }}', String(value))]));
  return { eval_time: evalTime, alertname: name, exp_alerts: [{ exp_labels: rule.labels, exp_annotations: annotations }] };
}
const expectQuiet = (name: string, evalTime: string) => ({ eval_time: evalTime, alertname: name, exp_alerts: [] });

describe('alerts export', () => {
  it('takes its thresholds from the gate limits', () => {
    const ceiling = defaultLimits['connections.ceiling']!;
    const allowed = file.groups[0]!.rules.find((r) => 'record' in r && r.record === SERIES.connectionsAllowed);
    const expected = (ceiling.fromBaseline ? opts.baseline : 0) + ceiling.perUnit * opts.units + ceiling.absolute;
    expect(allowed).toEqual({ record: SERIES.connectionsAllowed, expr: `vector(${expected})` });
    expect(byName('RushgateConnectionsAboveCeiling').annotations.rushgate_limit).toBe(`connections.ceiling${ceiling.text}`);
    // A rule turned off in the limits is not exported; units given as PromQL are recorded once.
    const off = buildAlertRules(withDefaults(parseLimitArgs(['connections.growth=off'])), { units: 'count(up{job="items"} == 1)', baseline: 0 });
    const names = off.file.groups.flatMap((g) => g.rules.map((r) => ('alert' in r ? r.alert : r.record)));
    expect(names).not.toContain('RushgateConnectionsGrowing');
    expect(names).toContain(SERIES.units);
    expect(off.notes).toContain('connections.growth is off: no growth alert');
  });

  it('writes a Grafana dashboard whose panels read the recorded series', () => {
    const dashboard = buildDashboard() as { panels: Array<{ targets: Array<{ expr: string }> }> };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    const recorded = file.groups[0]!.rules.map((r) => ('record' in r ? r.record : ''));
    for (const name of [SERIES.connections, SERIES.connectionsAllowed, SERIES.opened, SERIES.channels, SERIES.backlog]) {
      expect(exprs).toContain(name);
      expect(recorded).toContain(name);
    }
  });

  it.skipIf(!hasPromtool)('passes promtool check rules', { timeout: 30_000 }, () => {
    const rules = join(dir, 'rules.yml');
    writeFileSync(rules, stringify(file));
    const out = execFileSync('promtool', ['check', 'rules', rules], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
  });

  it.skipIf(!hasPromtool)('fires on a leak-shaped series and stays quiet on a pool that fills and levels off (promtool test rules)', { timeout: 30_000 }, () => {
    writeFileSync(join(dir, 'rules.yml'), stringify(file));
    const tests = {
      rule_files: ['rules.yml'],
      evaluation_interval: '1m',
      // Alerts read recorded series: evaluate the recording group first, as a Prometheus rule group order would.
      group_eval_order: ['rushgate-recording', 'rushgate-alerts'],
      tests: [
        {
          name: 'leak: one more connection and channel every minute',
          interval: '1m',
          input_series: [series('rabbitmq_connections', '2+1x120'), series('rabbitmq_channels', '2+1x120'), identity],
          alert_rule_test: [
            expectQuiet('RushgateConnectionsGrowing', '5m'),
            expectFiring('RushgateConnectionsGrowing', '60m'),
            expectFiring('RushgateChannelsGrowing', '60m'),
            expectFiring('RushgateConnectionsAboveCeiling', '60m', 62),
          ],
        },
        {
          name: 'pool: half an hour at rest, then a pool of 8 channels on 2 connections fills in 4 minutes and holds',
          interval: '1m',
          input_series: [series('rabbitmq_connections', '2x30 3 4x88'), series('rabbitmq_channels', '2x30 4 6 8 10x86'), identity],
          alert_rule_test: ['35m', '45m', '60m', '90m', '118m'].flatMap((t) => [
            expectQuiet('RushgateConnectionsGrowing', t),
            expectQuiet('RushgateChannelsGrowing', t),
            expectQuiet('RushgateConnectionsAboveCeiling', t),
          ]),
        },
      ],
    };
    const testFile = join(dir, 'rules.test.yml');
    writeFileSync(testFile, stringify(tests));
    const run = spawnSync('promtool', ['test', 'rules', testFile], { encoding: 'utf8', cwd: dir });
    expect(run.stdout + run.stderr).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });

  it.skipIf(!hasPromtool)('fails promtool test rules when the pool test expects an alert it does not get (the test can fail)', { timeout: 30_000 }, () => {
    writeFileSync(join(dir, 'rules.yml'), stringify(file));
    const tests = {
      rule_files: ['rules.yml'],
      tests: [{ interval: '1m', input_series: [series('rabbitmq_connections', '2x30 3 4x88'), identity], alert_rule_test: [expectFiring('RushgateConnectionsGrowing', '90m')] }],
    };
    writeFileSync(join(dir, 'wrong.test.yml'), stringify(tests));
    const run = spawnSync('promtool', ['test', 'rules', join(dir, 'wrong.test.yml')], { encoding: 'utf8', cwd: dir });
    expect(run.status).not.toBe(0);
  });
});
