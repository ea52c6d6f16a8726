import { hostname, cpus } from 'node:os';
import type { GateInput } from '../gate/evaluate.ts';
import { limitsAsText, type GateLimits } from '../gate/limits.ts';
import type { LoadResult } from '../load/driver.ts';
import {
  RUN_RECORD_SCHEMA_VERSION,
  type BrokerSample,
  type BrokerSummary,
  type RunRecord,
  type TimelineEvent,
} from '../run-record.ts';
import { TOOL_VERSION } from '../version.ts';
import type { Scenario } from '../../scenarios/define-scenario.ts';
import type { Schedule } from '../../scenarios/schedule.ts';

export interface RecordParts {
  startedAt: Date;
  endedAt: Date;
  scenario: Scenario;
  schedule: Schedule;
  load: LoadResult;
  broker: BrokerSample[];
  events: TimelineEvent[];
  limits: GateLimits;
  loadEndSec: number;
  target: RunRecord['target'];
  stack: RunRecord['stack'];
}

/** What the gate reads from a run record (also for re-gating a saved results.json). */
export function gateInputOf(record: RunRecord, aborted = record.verdict.aborted): GateInput {
  return {
    load: record.load,
    broker: record.broker,
    // Units as the broker showed them (processes, connection names) when attributed, else as declared.
    units: record.attribution && record.attribution.units > 0 ? record.attribution.units : record.target.units,
    ...(record.attribution ? { unitsSource: record.attribution.unitsSource } : {}),
    ...(record.sampling ? { gaps: record.sampling.gaps } : {}),
    phases: record.scenario.phases,
    loadEndSec: record.summary.durationSec,
    latency: { p99: record.summary.latency.p99 },
    ...connectionMaxOf(record),
    ...(record.brokerNodes && record.brokerNodes.length > 1 ? { nodes: record.brokerNodes } : {}),
    events: record.events,
    ...(aborted ? { aborted } : {}),
  };
}

/**
 * The broker's connection_max as the totals see it: the node's, or on several nodes their sum (each node's
 * own is judged by connections.nodes), unknown when a node's is.
 */
function connectionMaxOf(record: RunRecord): { connectionMax?: number } {
  const nodes = record.brokerNodes;
  if (nodes && nodes.length > 1) return nodes.every((n) => n.connectionMax !== undefined) ? { connectionMax: nodes.reduce((a, n) => a + n.connectionMax!, 0) } : {};
  return record.stack.connectionMax !== undefined ? { connectionMax: record.stack.connectionMax } : {};
}

/** Assembles the self-contained run record; the verdict is filled in by the gate afterwards. */
export function buildRunRecord(p: RecordParts): RunRecord {
  const requests = p.load.seconds.reduce((n, s) => n + s.sent, 0);
  const scheduled = p.load.seconds.reduce((n, s) => n + s.scheduled, 0);
  const activeSec = Math.max(p.loadEndSec, 1e-9);
  return {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    tool: { name: 'rushgate', version: TOOL_VERSION },
    startedAt: p.startedAt.toISOString(),
    endedAt: p.endedAt.toISOString(),
    scenario: {
      name: p.schedule.scenario,
      description: p.scenario.description,
      wallDurationSec: p.schedule.wallDurationSec,
      peakRps: p.schedule.peakRps,
      seed: p.schedule.seed,
      phases: p.schedule.phases,
    },
    target: p.target,
    stack: p.stack,
    limits: limitsAsText(p.limits),
    environment: { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: cpus().length, hostname: hostname() },
    load: p.load.seconds,
    broker: p.broker,
    events: [...p.events].sort((a, b) => a.t - b.t),
    summary: {
      requests,
      scheduled,
      dropped: p.load.seconds.reduce((n, s) => n + s.dropped, 0),
      status: p.load.status,
      errors: p.load.errors,
      latency: p.load.latency,
      achievedRps: round(requests / activeSec, 1),
      durationSec: round(p.loadEndSec, 2),
      broker: summariseBroker(p.broker, p.stack.connectionMax),
      classes: p.load.classes,
    },
    verdict: { passed: false, rules: [] },
    calls: p.load.calls,
    firstErrors: p.load.firstErrors,
  };
}

export function summariseBroker(samples: BrokerSample[], connectionMax?: number): BrokerSummary {
  const before = samples.filter((s) => s.t < 0);
  const baselineFrom = before.length > 0 ? before : samples.slice(0, 1);
  const first = samples[0];
  const last = samples[samples.length - 1];
  return {
    baselineConnections: median(baselineFrom.map((s) => s.connections)),
    peakConnections: max(samples.map((s) => s.connections)),
    finalConnections: last?.connections ?? 0,
    baselineChannels: median(baselineFrom.map((s) => s.channels)),
    peakChannels: max(samples.map((s) => s.channels)),
    finalChannels: last?.channels ?? 0,
    connectionsOpened: (last?.connectionsOpened ?? 0) - (first?.connectionsOpened ?? 0),
    connectionsClosed: (last?.connectionsClosed ?? 0) - (first?.connectionsClosed ?? 0),
    ...(connectionMax !== undefined ? { connectionMax } : {}),
  };
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function max(values: number[]): number {
  return values.length === 0 ? 0 : Math.max(...values);
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
