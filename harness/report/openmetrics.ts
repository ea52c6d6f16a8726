// A run's measurements as OpenMetrics text with timestamps, so a test run shows in Prometheus/Grafana beside
// production: backfill it with `promtool tsdb create-blocks-from openmetrics FILE DIR`. Times are the
// wall clock of each sample (load start + t); series carry the run's scenario and target as labels.
import type { RunRecord } from '../run-record.ts';

interface Family {
  name: string;
  type: 'gauge' | 'counter';
  help: string;
  unit?: string;
  samples: Array<{ labels?: Record<string, string>; value: number; t: number }>;
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** The wall-clock seconds of run second 0: the recorded load start, else the run start (older records). */
function loadStartSec(record: RunRecord): number {
  return Date.parse(record.loadStartedAt ?? record.startedAt) / 1000;
}

/** One series per sampled node (contiguous, as OpenMetrics wants a series' samples), labelled `node`. */
function perNode(record: RunRecord, resource: 'connections' | 'channels'): Family['samples'] {
  const nodes = record.brokerNodes?.map((n) => n.node) ?? [];
  return nodes.flatMap((node) =>
    record.broker.flatMap((s) => {
      const n = s.nodes?.find((x) => x.node === node);
      return n ? [{ labels: { node }, value: n[resource], t: s.t }] : [];
    }),
  );
}

export function renderOpenMetrics(record: RunRecord): string {
  const t0 = loadStartSec(record);
  const base: Record<string, string> = {
    scenario: record.scenario.name,
    target: record.target.publisher ? `${record.target.kind}/${record.target.publisher}` : record.target.kind,
    run_started: record.startedAt,
  };
  const broker = record.broker;
  const load = record.load;
  const statuses = [...new Set(load.flatMap((s) => Object.keys(s.status)))].sort();
  const cumulative = (pick: (s: RunRecord['load'][number]) => number) => {
    let sum = 0;
    return load.map((s) => ({ value: (sum += pick(s)), t: s.t + 1 }));
  };
  const families: Family[] = [
    { name: 'rushgate_broker_connections', type: 'gauge', help: "Target's broker connections (harness's own excluded)", samples: broker.map((s) => ({ value: s.connections, t: s.t })) },
    { name: 'rushgate_broker_channels', type: 'gauge', help: "Target's broker channels", samples: broker.map((s) => ({ value: s.channels, t: s.t })) },
    ...(['connections', 'channels'] as const).map((resource) => ({
      name: `rushgate_broker_node_${resource}`,
      type: 'gauge' as const,
      help: `Target's broker ${resource} on each node (several nodes only; absent where the node did not answer)`,
      samples: perNode(record, resource),
    })),
    { name: 'rushgate_broker_connections_opened', type: 'counter', help: 'Connections the broker opened (cumulative, broker-wide)', samples: broker.map((s) => ({ value: s.connectionsOpened, t: s.t })) },
    { name: 'rushgate_broker_connections_closed', type: 'counter', help: 'Connections the broker closed (cumulative, broker-wide)', samples: broker.map((s) => ({ value: s.connectionsClosed, t: s.t })) },
    { name: 'rushgate_requests_scheduled', type: 'counter', help: 'Arrivals the schedule asked for', samples: cumulative((s) => s.scheduled) },
    { name: 'rushgate_requests_sent', type: 'counter', help: 'Requests sent', samples: cumulative((s) => s.sent) },
    { name: 'rushgate_requests_dropped', type: 'counter', help: 'Arrivals not sent (in-flight limit)', samples: cumulative((s) => s.dropped) },
    {
      name: 'rushgate_responses',
      type: 'counter',
      help: 'Responses by HTTP status',
      samples: statuses.flatMap((code) => cumulative((s) => s.status[code] ?? 0).map((p) => ({ ...p, labels: { status: code } }))),
    },
    {
      name: 'rushgate_latency_p99_seconds',
      type: 'gauge',
      unit: 'seconds',
      help: 'p99 latency of the responses completed in each second',
      samples: load.filter((s) => s.completed > 0).map((s) => ({ value: s.latency.p99 / 1000, t: s.t + 1 })),
    },
    {
      name: 'rushgate_gate_rule_passed',
      type: 'gauge',
      help: 'Gate verdict per rule at the end of the run (1 passed, 0 failed)',
      samples: record.verdict.rules.map((r) => ({ labels: { rule: r.name }, value: r.passed ? 1 : 0, t: Date.parse(record.endedAt) / 1000 - t0 })),
    },
  ];
  const lines: string[] = [];
  for (const f of families) {
    if (f.samples.length === 0) continue;
    lines.push(`# TYPE ${f.name} ${f.type}`, `# HELP ${f.name} ${f.help}`);
    if (f.unit) lines.push(`# UNIT ${f.name} ${f.unit}`);
    const suffix = f.type === 'counter' ? '_total' : '';
    for (const s of f.samples) {
      const labels = Object.entries({ ...base, ...s.labels })
        .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
        .join(',');
      lines.push(`${f.name}${suffix}{${labels}} ${s.value} ${(t0 + s.t).toFixed(3)}`);
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

/**
 * The run's key numbers, one sample each and no timestamps: a GitLab metrics report (metrics.txt), where a
 * merge request shows each number beside the target branch's.
 */
export function renderMetricsSummary(record: RunRecord): string {
  const s = record.summary;
  const failed = record.verdict.rules.filter((r) => !r.passed).length;
  const lines = [
    ['rushgate_gate_passed', record.verdict.passed ? 1 : 0],
    ['rushgate_rules_failed', failed],
    ['rushgate_requests', s.requests],
    ['rushgate_requests_dropped', s.dropped],
    ['rushgate_latency_p99_ms', s.latency.p99],
    ['rushgate_broker_connections_baseline', s.broker.baselineConnections],
    ['rushgate_broker_connections_peak', s.broker.peakConnections],
    ['rushgate_broker_connections_final', s.broker.finalConnections],
    ['rushgate_broker_channels_peak', s.broker.peakChannels],
    ['rushgate_broker_connections_opened', s.broker.connectionsOpened],
  ] as const;
  return `${lines.map(([name, value]) => `${name} ${Number(value.toFixed(3))}`).join('\n')}\n# EOF\n`;
}
