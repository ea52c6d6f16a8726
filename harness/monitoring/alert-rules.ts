// The gate's questions asked of production: Prometheus recording and alerting rules over RabbitMQ's own
// metrics (rabbitmq_prometheus), with thresholds taken from the same gate limits a run is judged by.
// Recording rules name each quantity once; alerts read the names, so a rule reads like the gate's sentence.
import { countAllowed, type CountLimit, type GateLimits, type Limit, type RateLimit } from '../gate/limits.ts';

export interface AlertRulesOptions {
  /** Units (service instances) as a number, or a PromQL expression counting them, e.g. `count(up{job="items-api"} == 1)`. */
  units: number | string;
  /** Connections other clients hold on the broker at rest: the `baseline` of a `baseline+N/unit` limit. */
  baseline: number;
  /** Label matchers for the broker's series, e.g. `job="rabbitmq"` (without braces). */
  selector?: string;
  /** PromQL for the service's accepted requests per second; churn per 1,000 requests needs it. */
  requestsPerSecond?: string;
}

export interface RecordingRule {
  record: string;
  expr: string;
}
export interface AlertingRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
export interface RuleGroup {
  name: string;
  rules: Array<RecordingRule | AlertingRule>;
}
export interface RuleFile {
  groups: RuleGroup[];
}

/** Names of the recorded quantities, shared with the Grafana dashboard. */
export const SERIES = {
  connections: 'rushgate:rabbitmq_connections:sum',
  connectionsByNode: 'rushgate:rabbitmq_connections:by_node',
  connectionsDeriv: 'rushgate:rabbitmq_connections:deriv10m',
  connectionsAllowed: 'rushgate:rabbitmq_connections:allowed',
  opened: 'rushgate:rabbitmq_connections_opened:rate5m',
  closed: 'rushgate:rabbitmq_connections_closed:rate5m',
  channels: 'rushgate:rabbitmq_channels:sum',
  channelsDeriv: 'rushgate:rabbitmq_channels:deriv10m',
  channelsAllowed: 'rushgate:rabbitmq_channels:allowed',
  channelsPerConnection: 'rushgate:rabbitmq_connection_channels:max',
  backlog: 'rushgate:rabbitmq_queue_messages_ready:sum',
  units: 'rushgate:units',
  requests: 'rushgate:requests:rate5m',
} as const;

/** A count limit as PromQL: baseline + perUnit x units + absolute, with units possibly a query. */
function allowedExpr(limit: CountLimit, opts: AlertRulesOptions): string {
  if (typeof opts.units === 'number') return String(countAllowed(limit, opts.baseline, opts.units));
  const constant = countAllowed({ ...limit, perUnit: 0 }, opts.baseline, 0);
  return limit.perUnit === 0 ? String(constant) : `${constant} + ${limit.perUnit} * ${SERIES.units}`;
}

/** A recording rule must yield a vector: a plain number becomes vector(n). */
const asVector = (expr: string) => (/^[\d.]+$/.test(expr) ? `vector(${expr})` : expr);

const isCount = (l: Limit | null | undefined): l is CountLimit => l?.kind === 'count';
const isRate = (l: Limit | null | undefined): l is RateLimit => l?.kind === 'rate';
const limitText = (rule: string, l: Limit) => `${rule}${/^[<=]/.test(l.text) ? '' : '='}${l.text}`;

/**
 * Builds the rule file. Rules whose limit is off are left out; so are the ones production cannot judge
 * (residue needs a load that ends; errors and latency belong to the service's own metrics).
 * `notes` says what was left out and why.
 */
export function buildAlertRules(limits: GateLimits, opts: AlertRulesOptions): { file: RuleFile; notes: string[] } {
  const s = opts.selector ? `{${opts.selector}}` : '';
  const notes: string[] = [];
  const byRule = limits as unknown as Record<string, Limit | null | undefined>;
  const recording: RecordingRule[] = [
    { record: SERIES.connections, expr: `sum(rabbitmq_connections${s})` },
    // rabbitmq_identity_info names the node behind each scrape target.
    { record: SERIES.connectionsByNode, expr: `sum by (rabbitmq_node) (rabbitmq_connections${s} * on (instance, job) group_left (rabbitmq_node) rabbitmq_identity_info${s})` },
    { record: SERIES.connectionsDeriv, expr: `deriv(${SERIES.connections}[10m])` },
    { record: SERIES.opened, expr: `sum(rate(rabbitmq_connections_opened_total${s}[5m]))` },
    { record: SERIES.closed, expr: `sum(rate(rabbitmq_connections_closed_total${s}[5m]))` },
    { record: SERIES.channels, expr: `sum(rabbitmq_channels${s})` },
    { record: SERIES.channelsDeriv, expr: `deriv(${SERIES.channels}[10m])` },
    // Per connection only on the per-object endpoint (/metrics/per-object); connections carry no client-given name there.
    { record: SERIES.channelsPerConnection, expr: `max(rabbitmq_connection_channels${s})` },
    { record: SERIES.backlog, expr: `sum(rabbitmq_queue_messages_ready${s})` },
  ];
  if (typeof opts.units === 'string') recording.push({ record: SERIES.units, expr: opts.units });
  if (opts.requestsPerSecond) recording.push({ record: SERIES.requests, expr: opts.requestsPerSecond });

  const alerts: AlertingRule[] = [];
  const alert = (name: string, expr: string, forDur: string, severity: string, rule: string, limit: Limit | undefined, summary: string, description: string) =>
    alerts.push({
      alert: name,
      expr,
      for: forDur,
      labels: { severity, rushgate_rule: rule },
      annotations: { summary, description, ...(limit ? { rushgate_limit: limitText(rule, limit) } : {}) },
    });

  for (const resource of ['connections', 'channels'] as const) {
    const Name = resource === 'connections' ? 'Connections' : 'Channels';
    const total = resource === 'connections' ? SERIES.connections : SERIES.channels;
    const deriv = resource === 'connections' ? SERIES.connectionsDeriv : SERIES.channelsDeriv;
    const ceiling = byRule[`${resource}.ceiling`];
    if (isCount(ceiling)) {
      const allowed = resource === 'connections' ? SERIES.connectionsAllowed : SERIES.channelsAllowed;
      recording.push({ record: allowed, expr: asVector(allowedExpr(ceiling, opts)) });
      alert(
        `Rushgate${Name}AboveCeiling`,
        `${total} > ${allowed}`,
        '5m',
        'critical',
        `${resource}.ceiling`,
        ceiling,
        `Broker ${resource} {{ $value }} above the deploy gate's ceiling`,
        `The units hold more broker ${resource} than the gate allows (${ceiling.text}, baseline ${opts.baseline}, units ${typeof opts.units === 'number' ? opts.units : SERIES.units}): more than a bounded pool per unit, as the incident's connection-per-request leak began.`,
      );
    } else notes.push(`${resource}.ceiling is off: no ceiling alert`);
    const growth = byRule[`${resource}.growth`];
    if (isCount(growth)) {
      // Bounded or not: a pool fills and levels off (its slope returns to zero within the window); a leak
      // keeps rising all the time. Alert only when the slope stayed positive for 30 minutes.
      alert(
        `Rushgate${Name}Growing`,
        `min_over_time(${deriv}[30m]) > 0 and delta(${total}[30m]) > ${allowedExpr(growth, { ...opts, baseline: 0 })}`,
        '10m',
        'warning',
        `${resource}.growth`,
        growth,
        `Broker ${resource} keep rising`,
        `The number of broker ${resource} rose all through the last 30 minutes of data (10 minutes at least), by more than the gate allows (${growth.text}): not bounded, as a leak looks. A pool that fills and levels off does not fire this.`,
      );
    } else notes.push(`${resource}.growth is off: no growth alert`);
    const churn = byRule[`${resource}.churn`];
    if (resource === 'connections' && isRate(churn)) {
      if (churn.perSecond) {
        alert('RushgateConnectionChurn', `${SERIES.opened} > ${churn.value}`, '10m', 'warning', 'connections.churn', churn, 'Broker connections opened faster than the gate allows', `Connections opened per second above ${churn.text}: the units open and close a connection per request.`);
      } else if (opts.requestsPerSecond) {
        alert(
          'RushgateConnectionChurn',
          `${SERIES.opened} / ${SERIES.requests} * ${churn.per} > ${churn.value}`,
          '10m',
          'warning',
          'connections.churn',
          churn,
          'Broker connections opened per request above the gate limit',
          `Connections opened per ${churn.per} requests above ${churn.text}: the units open and close a connection per request.`,
        );
      } else notes.push(`connections.churn ${churn.text} is per requests: give --requests-query to alert on it`);
    }
  }
  const perConnection = byRule['channels.per-connection'];
  if (isCount(perConnection)) {
    alert(
      'RushgateChannelsPerConnection',
      `${SERIES.channelsPerConnection} > ${countAllowed(perConnection, 0, 0)}`,
      '5m',
      'warning',
      'channels.per-connection',
      perConnection,
      'A connection holds more channels than the gate allows',
      `One broker connection holds more channels than ${perConnection.text}: channels are opened and never closed. Needs RabbitMQ's per-object metrics.`,
    );
  }
  alert(
    'RushgateConnectionsBlocked',
    `max(rabbitmq_alarms_memory_used_watermark${s}) > 0 or max(rabbitmq_alarms_free_disk_space_watermark${s}) > 0`,
    '1m',
    'critical',
    'broker.blocked',
    undefined,
    'RabbitMQ is blocking publishing connections (resource alarm)',
    'A memory or disk alarm is raised: the broker blocks every publishing connection, so accepted writes wait or fail.',
  );
  alert(
    'RushgateQueueBacklogGrowing',
    `${SERIES.backlog} > 0 and deriv(${SERIES.backlog}[15m]) > 0`,
    '15m',
    'warning',
    'queue.backlog',
    undefined,
    'Messages waiting in queues have grown for 15 minutes',
    'Ready messages keep piling up: consumers do not keep up, and writes already acknowledged stay waiting.',
  );
  notes.push('connections/channels residue: judged after a load ends, which production never does');
  notes.push('errors.rate, latency.p99, load.dropped: from the service\'s HTTP metrics, not the broker\'s');

  return {
    file: {
      groups: [
        { name: 'rushgate-recording', rules: recording },
        { name: 'rushgate-alerts', rules: alerts },
      ],
    },
    notes,
  };
}
