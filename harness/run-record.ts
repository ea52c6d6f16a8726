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
  /**
   * Most requests in flight at once during this wall second (the service's concurrency). Absent in
   * records made before it was kept, and from load tools that do not report it.
   */
  inFlightMax?: number;
  /** Response counts by status code ("200", "503", ...). */
  status: Record<string, number>;
  /** Failures with no HTTP status, by kind: timeout, reset, refused, other. */
  errors: Record<string, number>;
  /** Latency of responses completed in this second, milliseconds. */
  latency: LatencySummary;
  /** This second's outcomes by class (call-tally.ts); absent in records made before classes existed. */
  classes?: StatusClasses;
  /** The failed answers of this second by status code (with `classes`). */
  failedStatus?: Record<string, number>;
}

/**
 * Every outcome in one of four classes: accepted (2xx, or a status the call declares accepted), refused
 * by design (a status the scenario declares expected, e.g. 409 for a duplicate, or 429/503 with
 * Retry-After while a fault is active), failed (any other answer), and no answer (timeout, reset, ...).
 */
export interface StatusClasses {
  accepted: number;
  refused: number;
  failed: number;
  noAnswer: number;
}

/** One call kind's results (issue 13): what was sent, how it was answered, how fast. */
export interface CallSummary {
  method: string;
  /** The path template as written, e.g. "/api/v1/stores/${storeId}/items/${itemId}". */
  path: string;
  sent: number;
  dropped: number;
  status: Record<string, number>;
  errors: Record<string, number>;
  classes: StatusClasses;
  /** Answered 4xx and 5xx apart (whatever their class), for the summary line. */
  fourXx: number;
  fiveXx: number;
  latency: LatencySummary;
}

/** The run did not test the service: most of a call's answers were the same 4xx. */
export interface ValidityFinding {
  call: string;
  status: number;
  count: number;
  of: number;
  sentence: string;
}

export interface Validity {
  valid: boolean;
  /** Clearly a configuration mistake (no call was ever accepted): the run exits 2 instead of 1. */
  configMistake: boolean;
  findings: ValidityFinding[];
}

/** One of the first non-2xx answers of a run, its body truncated and redacted. */
export interface FirstError {
  t: number;
  call: string;
  status: number;
  body: string;
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
  /**
   * Broker-wide cumulative counters. They include the harness's own connections, which are few and opened
   * before the baseline; channels the harness opened and closed itself (the tap's probes) are subtracted.
   */
  connectionsOpened: number;
  connectionsClosed: number;
  channelsOpened: number;
  channelsClosed: number;
  /** Connections the harness itself held at this instant (excluded from `connections`). */
  harnessConnections: number;
  harnessChannels: number;
  /** Broker process file descriptors and TCP sockets in use, when the node reports them. */
  fds?: number;
  sockets?: number;
  /**
   * Multi-node brokers only: each node that answered this tick, its own counts (the harness's connections
   * taken out of the node it holds them on). The sample's counts are their sum.
   */
  nodes?: NodeSample[];
  /** Multi-node brokers only: nodes that did not answer this tick; their series has a hole, the total leaves them out. */
  missingNodes?: string[];
}

/** One node's counts in a sample. Counters only rise: a node that restarts continues from where it was. */
export interface NodeSample extends Pick<BrokerSample, 'connections' | 'channels' | 'connectionsOpened' | 'connectionsClosed' | 'channelsOpened' | 'channelsClosed'> {
  /** Erlang node name, e.g. rabbit@host (the endpoint's rabbitmq_identity_info). */
  node: string;
}

/** A broker node the run sampled. */
export interface BrokerNodeInfo {
  node: string;
  /** The node's own connection_max, when known. */
  connectionMax?: number;
}

/** A marker on the run's timeline: phase changes, faults, aborts, notes. */
export interface TimelineEvent {
  t: number;
  kind: 'phase' | 'fault-start' | 'fault-end' | 'abort' | 'note';
  message: string;
  /**
   * Fault actions only (an injection, a revert, a failed revert attempt). Which of the scenario's faults
   * (its index in the chaos list): pairs a fault's start, end and notes even when descriptions repeat.
   */
  faultId?: number;
  /** When the timeline meant the action to start (s since load start); absent for a one-off fault's end. */
  scheduledSec?: number;
  /** When the action began and returned (s since load start): a fault-start's t is its start, a fault-end's its end. */
  actionStartSec?: number;
  actionEndSec?: number;
  /** Why the action failed. */
  error?: string;
  /** Reverts: which attempt this was (a failed revert is tried again until the run ends). */
  attempt?: number;
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
  /**
   * false when the rule could not be judged from what this run measured (e.g. latency in a watch, which
   * sees no HTTP traffic): then `passed` is true so it does not decide the verdict, and the message says why.
   */
  judged?: false;
  /**
   * true when the finding is a warning: shown as `warn:`, with `passed` true so it does not decide the
   * verdict (e.g. refused requests that were published anyway, when no limit was set for them).
   */
  warning?: true;
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
  /** Outcomes by class, the whole run. */
  classes?: StatusClasses;
}

export interface RunRecord {
  schemaVersion: typeof RUN_RECORD_SCHEMA_VERSION;
  tool: { name: 'rushgate'; version: string };
  startedAt: string;
  endedAt: string;
  /** Wall-clock UTC time of t = 0 (load start), so charts and exports can line a run up with monitoring. */
  loadStartedAt?: string;
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
  /** Reconciliation of request ids against what reached the broker; absent when no exchange was tapped. */
  integrity?: IntegrityReport;
  /** Set when a signal (Ctrl-C, SIGTERM) stopped the run: everything in it is what was seen until then. */
  interrupted?: { signal: string; atSec: number };
  /** How the broker was sampled, and where it was not (t in seconds since load start, like BrokerSample.t). */
  sampling?: SamplingInfo;
  /** Who held the target's broker connections: units as the broker saw them, and named connections. */
  attribution?: AttributionInfo;
  /** Per-call results by call name. */
  calls?: Record<string, CallSummary>;
  /** Set when the run was checked for being a valid test of the service (before any verdict). */
  validity?: Validity;
  /** The first few non-2xx answers (bodies truncated and redacted), so a wrong route or body shows at once. */
  firstErrors?: FirstError[];
  /** Set when more than one broker node was sampled: each node, in the order of its series. */
  brokerNodes?: BrokerNodeInfo[];
}

/** `from`, `to` are seconds since load start, like BrokerSample.t. */
export interface SamplingInfo {
  intervalMs: number;
  /** Samples taken while the sampler ran. */
  samples: number;
  /** Samples due at intervalMs over the same time. */
  expected: number;
  /** Stretches longer than 2 intervals without a sample, with what is known of why. */
  gaps: Array<{ from: number; to: number; seconds: number; reason: string }>;
  /**
   * Multi-node brokers only: each node's own sampling. A node that did not answer is a gap of that node
   * (its series is absent there, the total is the sum of the nodes that answered); `gaps` above are the
   * stretches when no node answered.
   */
  nodes?: Array<{ node: string; samples: number; gaps: Array<{ from: number; to: number; seconds: number; reason: string }> }>;
}

export interface AttributionInfo {
  /** Units measured: distinct target processes holding broker connections during the load (or as named, or declared). */
  units: number;
  /** processes: broker peer ports mapped to the target's processes; connection-names: `unit-<n>` in connection names; declared: --units. */
  unitsSource: 'processes' | 'connection-names' | 'declared';
  /** --units as given (UNITS in the target's environment). */
  declaredUnits: number;
  /** Target connections grouped by client connection name and unit; counts at the idle baseline, the peak and the end. */
  connections: Array<{ name: string; unit: string; baseline: number; peak: number; end: number }>;
}

/**
 * What the verification tap saw on the exchange, reconciled against every request's response.
 * Ids are `X-Request-Id` values; sample lists are capped at 20 and ordered by sequence number.
 */
export interface IntegrityReport {
  runId: string;
  exchange: string;
  routingKey: string;
  /** Requests the driver reported an outcome for. sent = acknowledged + refused + noResponse. */
  sent: number;
  /** Answered 2xx. */
  acknowledged: number;
  /** Answered with any other status (4xx, 5xx, ...). */
  refused: number;
  /** No HTTP answer at all (timeout, reset, refused connection). */
  noResponse: number;
  /** Distinct ids of this run that reached the exchange. */
  arrived: number;
  /** Every message the tap received: this run's (duplicates included) and foreign ones. */
  messages: number;
  /** 2xx whose id never reached the broker: the promise "a 200 means processed" broken. */
  acknowledgedButLost: { count: number; samples: string[] };
  /** Refused or unanswered requests whose id reached the broker anyway (client retries make duplicates). */
  refusedButPublished: {
    count: number;
    /** By outcome: "4xx", "5xx", or the no-response kind ("timeout", "reset", "refused", "other"). */
    byClass: Record<string, number>;
    samples: Array<{ id: string; outcome: string }>;
  };
  /** Ids of this run seen more than once; extraMessages counts the copies beyond the first. */
  duplicates: { count: number; extraMessages: number; samples: Array<{ id: string; copies: number }> };
  /** Ids of this run that reached the broker but were never reported sent (e.g. the load stopped early). */
  unsolicited: { count: number; samples: string[] };
  /** Messages without an id of this run: other runs, other publishers, or no messageId at all. */
  foreign: { count: number; withoutId: number; samples: string[] };
  /** Requests beyond the tap's capacity (sequence numbers >= 2^24), not reconciled. Absent when 0. */
  untracked?: number;
  /** 2xx answered before the tap was bound (see tapBoundLate) whose ids it did not see: not reconciled, not counted lost. Absent when 0. */
  notReconciled?: number;
  /**
   * Set when the exchange did not exist yet when the load was about to start (a target that declares it on
   * first publish): the tap was bound once it appeared. Messages published before that could not be seen.
   */
  tapBoundLate?: { atIso: string; atSec: number; waitedMs: number };
  /** How the tap finished listening: quiet = no message for quietMs before the timeout. */
  drain?: { quiet: boolean; waitedMs: number; quietMs: number; timeoutMs: number };
  /** Set when the tap lost its broker connection: messages published afterwards were not seen. */
  tapInterrupted?: { atIso: string; reason: string };
  /** Durable tap only: times it lost its connection and resumed on its queue (nothing missed). Absent when 0. */
  tapReconnects?: number;
  /** The target's own traceability counts after the run (reference service: GET /traceability). */
  worker?: { accepted: number; processed: number; waiting: number; withdrawn?: number; waitingSample?: string[] };
}
