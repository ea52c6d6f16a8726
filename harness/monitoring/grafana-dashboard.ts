// A Grafana dashboard of the same quantities the alert rules watch, reading the recorded series by name,
// with each gate threshold drawn as a line, so a panel and an alert always agree.
import { SERIES } from './alert-rules.ts';

interface Target {
  expr: string;
  legendFormat: string;
  refId: string;
}

function panel(id: number, title: string, description: string, targets: Array<[string, string]>, gridPos: { x: number; y: number }, unit = 'short') {
  return {
    id,
    type: 'timeseries',
    title,
    description,
    datasource: { type: 'prometheus', uid: '${datasource}' },
    gridPos: { ...gridPos, w: 12, h: 8 },
    fieldConfig: { defaults: { unit, custom: { lineWidth: 2, fillOpacity: 0 } }, overrides: [] },
    options: { legend: { displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'multi' } },
    targets: targets.map(([expr, legendFormat], i): Target => ({ expr, legendFormat, refId: String.fromCharCode(65 + i) })),
  };
}

/** Grafana dashboard JSON (schema 39); `alerting` lists which alert reads each panel. */
export function buildDashboard(title = 'rushgate: broker connections against the deploy gate'): Record<string, unknown> {
  const panels = [
    panel(1, 'Broker connections and the gate ceiling', 'RushgateConnectionsAboveCeiling, RushgateConnectionsGrowing', [[SERIES.connections, 'connections'], [SERIES.connectionsAllowed, 'ceiling (gate limit)']], { x: 0, y: 0 }),
    panel(2, 'Connections per node', 'Where the connections are held', [[SERIES.connectionsByNode, '{{rabbitmq_node}}']], { x: 12, y: 0 }),
    panel(3, 'Connection churn', 'RushgateConnectionChurn: opened and closed per second', [[SERIES.opened, 'opened/s'], [SERIES.closed, 'closed/s']], { x: 0, y: 8 }, 'ops'),
    panel(4, 'Channels and the gate ceiling', 'RushgateChannelsAboveCeiling, RushgateChannelsGrowing', [[SERIES.channels, 'channels'], [SERIES.channelsAllowed, 'ceiling (gate limit)']], { x: 12, y: 8 }),
    panel(5, 'Most channels on one connection', 'RushgateChannelsPerConnection (per-object metrics)', [[SERIES.channelsPerConnection, 'max channels per connection']], { x: 0, y: 16 }),
    panel(6, 'Blocked publishing (resource alarms)', 'RushgateConnectionsBlocked', [['max(rabbitmq_alarms_memory_used_watermark)', 'memory alarm'], ['max(rabbitmq_alarms_free_disk_space_watermark)', 'disk alarm']], { x: 12, y: 16 }),
    panel(7, 'Queue backlog (ready messages)', 'RushgateQueueBacklogGrowing', [[SERIES.backlog, 'ready messages']], { x: 0, y: 24 }),
  ];
  return {
    title,
    uid: 'rushgate-broker',
    tags: ['rushgate', 'rabbitmq'],
    timezone: 'utc',
    schemaVersion: 39,
    time: { from: 'now-6h', to: 'now' },
    refresh: '30s',
    templating: { list: [{ name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Prometheus' }] },
    panels,
  };
}
