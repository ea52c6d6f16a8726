// The plain data that flows between stages: scenario -> load + probes -> run record -> verdict -> reports.
// Everything here is JSON-serialisable so a saved results.json can be re-gated and re-rendered offline.

export const RUN_RECORD_SCHEMA_VERSION = 1;

/** HTTP call kinds the built-in scenarios send (the target contract in DESIGN.md). */
export type CallKind = 'item-put' | 'items-batch' | 'matchings';

/** One second of load, as the driver saw it. `t` is whole seconds since load start (0-based). */
export interface LoadSecond {
  t: number;
  /** Scenario clock label at the start of this second, e.g. "07:45". */
  clock: string;
  /** Name of the scenario phase this second belongs to. */
  phase: string;
  /** Arrivals the schedule asked for in this second. */
  scheduled: number;
  /** Requests actually sent in this second. */
  sent: number;
  /** Responses (any status) received in this second. */
  completed: number;
  /** Scheduled arrivals not sent because the in-flight limit was reached. */
  dropped: number;
  /** Response counts by status code ("200", "503", ...). */
  status: Record<string, number>;
  /** Failures with no HTTP status, by kind: timeout, reset, refused, other. */
  errors: Record<string, number>;
  /** Latency of responses completed in this second, milliseconds. */
  latency: LatencySummary;
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** One broker sample. `t` is seconds since load start (fractional; negative while taking the baseline). */
export interface BrokerSample {
  t: number;
  /** Target connections: broker total minus the harness's own. */
  connections: number;
  channels: number;
  /** Broker-wide cumulative counters (include the harness's own, which are few and constant). */
  connectionsOpened: number;
  connectionsClosed: number;
  channelsOpened: number;
  channelsClosed: number;
  /** Connections the harness itself held at this instant (excluded from `connections`). */
  harnessConnections: number;
  harnessChannels: number;
}

/** A marker on the run's timeline: phase changes, faults, aborts, notes. */
export interface TimelineEvent {
  t: number;
  kind: 'phase' | 'fault-start' | 'fault-end' | 'abort' | 'note';
  message: string;
}

export interface RuleResult {
  /** Stable rule id, e.g. "connections.ceiling". */
  name: string;
  passed: boolean;
  /** The limit as the user wrote it (or the default), e.g. "peak <= baseline + 1/unit". */
  limit: string;
  /** The measured value that decided the rule, as displayed. */
  value: string;
  /** One plain sentence that explains the outcome to someone who never saw the tool. */
  message: string;
}

export interface Verdict {
  passed: boolean;
  rules: RuleResult[];
  /** Set when the load was stopped early because a rule had certainly failed. */
  aborted?: { t: number; rule: string; reason: string };
}

export interface BrokerSummary {
  baselineConnections: number;
  peakConnections: number;
  finalConnections: number;
  baselineChannels: number;
  peakChannels: number;
  finalChannels: number;
  connectionsOpened: number;
  connectionsClosed: number;
  /** The node's connection_max, when the harness set one. */
  connectionMax?: number;
}

export interface RunSummary {
  requests: number;
  scheduled: number;
  dropped: number;
  status: Record<string, number>;
  errors: Record<string, number>;
  /** Whole-run latency from the HdrHistogram, milliseconds. */
  latency: LatencySummary & { mean: number };
  achievedRps: number;
  durationSec: number;
  broker: BrokerSummary;
}

export interface RunRecord {
  schemaVersion: typeof RUN_RECORD_SCHEMA_VERSION;
  tool: { name: 'rushgate'; version: string };
  startedAt: string;
  endedAt: string;
  scenario: {
    name: string;
    description: string;
    wallDurationSec: number;
    peakRps: number;
    seed: number;
    /** Phases in wall seconds since load start, for charts and rules. */
    phases: Array<{ name: string; kind: string; startSec: number; endSec: number; fromRps: number; toRps: number; clockStart: string }>;
  };
  target: {
    kind: 'reference' | 'command' | 'external';
    publisher?: string;
    units: number;
    command?: string;
    url: string;
  };
  stack: { kind: 'local' | 'testcontainers' | 'external'; connectionMax?: number };
  limits: Record<string, unknown>;
  environment: { node: string; platform: string; cpus: number; hostname: string };
  load: LoadSecond[];
  broker: BrokerSample[];
  events: TimelineEvent[];
  summary: RunSummary;
  verdict: Verdict;
}
