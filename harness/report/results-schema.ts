// The run record's shape as a zod schema: readRunRecord validates saved files with it, and the shipped
// JSON Schema (results.schema.json) is generated from it, so the two cannot drift apart.
// Objects are loose: a newer rushgate of the same schema version may add fields, never remove them.
import { z } from 'zod';
import {
  RUN_RECORD_SCHEMA_VERSION,
  type BrokerSample,
  type BrokerNodeInfo,
  type NodeSample,
  type CallSummary,
  type FirstError,
  type StatusClasses,
  type Validity,
  type ValidityFinding,
  type BrokerSummary,
  type AttributionInfo,
  type IntegrityReport,
  type LoadSecond,
  type RuleResult,
  type RunRecord,
  type RunSummary,
  type SamplingInfo,
  type TimelineEvent,
  type Verdict,
} from '../run-record.ts';

const counts = z.record(z.string(), z.number().int().nonnegative());

const latency = z.looseObject({
  p50: z.number().nonnegative(),
  p90: z.number().nonnegative(),
  p99: z.number().nonnegative(),
  max: z.number().nonnegative(),
});

const statusClasses = z
  .looseObject({
    accepted: z.number().int().nonnegative().describe('2xx, or a status the call declares accepted.'),
    refused: z.number().int().nonnegative().describe('Refused by design: a status the scenario declares expected, or 429/503 with Retry-After during a fault.'),
    failed: z.number().int().nonnegative().describe('Every other answer (unexpected 4xx and 5xx).'),
    noAnswer: z.number().int().nonnegative().describe('Timeouts, resets, refused connections.'),
  })
  .describe('Outcomes by class.');

const callSummary = z
  .looseObject({
    method: z.string(),
    path: z.string().describe('Path template as written.'),
    sent: z.number().int().nonnegative(),
    dropped: z.number().int().nonnegative(),
    status: counts,
    errors: counts,
    classes: statusClasses,
    fourXx: z.number().int().nonnegative(),
    fiveXx: z.number().int().nonnegative(),
    latency: latency.describe('Latency of this call, milliseconds.'),
  })
  .describe("One call's results.");

const validityFinding = z.looseObject({
  call: z.string(),
  status: z.number().int(),
  count: z.number().int().nonnegative(),
  of: z.number().int().nonnegative(),
  sentence: z.string(),
});

const validity = z
  .looseObject({
    valid: z.boolean(),
    configMistake: z.boolean().describe('No call was ever accepted: a configuration mistake (exit 2).'),
    findings: z.array(validityFinding),
  })
  .describe('Whether the run was a valid test of the service: most answers of a call being the same 4xx means it was not.');

const firstError = z.looseObject({ t: z.number(), call: z.string(), status: z.number().int(), body: z.string().describe('Truncated and redacted.') });

const loadSecond = z
  .looseObject({
    t: z.number().int().describe('Whole seconds since load start (0-based).'),
    clock: z.string().describe('Scenario clock label at the start of this second, e.g. "07:45".'),
    phase: z.string(),
    scheduled: z.number().int().nonnegative().describe('Arrivals the schedule asked for in this second.'),
    sent: z.number().int().nonnegative(),
    completed: z.number().int().nonnegative(),
    dropped: z.number().int().nonnegative().describe('Scheduled arrivals not sent because the in-flight limit was reached.'),
    inFlightMax: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('Most requests in flight at once during this wall second (the service\'s concurrency); absent in older records.'),
    status: counts.describe('Response counts by HTTP status code.'),
    errors: counts.describe('Failures with no HTTP status, by kind: timeout, reset, refused, other.'),
    latency: latency.describe('Latency of responses completed in this second, milliseconds.'),
    classes: statusClasses.optional(),
    failedStatus: counts.optional().describe("This second's failed answers by status code."),
  })
  .describe('One second of load, as the driver saw it.');

const nodeSample = z
  .looseObject({
    node: z.string().describe('Erlang node name (the endpoint\'s rabbitmq_identity_info).'),
    connections: z.number().nonnegative().describe("The node's target connections (the harness's own taken out of the node that holds them)."),
    channels: z.number().nonnegative(),
    connectionsOpened: z.number().nonnegative().describe('Cumulative; continues across a restart of the node.'),
    connectionsClosed: z.number().nonnegative(),
    channelsOpened: z.number().nonnegative(),
    channelsClosed: z.number().nonnegative(),
  })
  .describe("One node's counts in a sample.");

const brokerSample = z
  .looseObject({
    t: z.number().describe('Seconds since load start; negative while taking the baseline.'),
    connections: z.number().nonnegative().describe("Target connections: broker total minus the harness's own."),
    channels: z.number().nonnegative(),
    connectionsOpened: z.number().nonnegative(),
    connectionsClosed: z.number().nonnegative(),
    channelsOpened: z.number().nonnegative(),
    channelsClosed: z.number().nonnegative(),
    harnessConnections: z.number().nonnegative(),
    harnessChannels: z.number().nonnegative(),
    fds: z.number().nonnegative().optional().describe('Broker process file descriptors in use, when the node reports them.'),
    sockets: z.number().nonnegative().optional().describe('Broker TCP sockets in use, when the node reports them.'),
    nodes: z
      .array(nodeSample)
      .optional()
      .describe("Multi-node brokers only: each node that answered this tick; the sample's counts are their sum."),
    missingNodes: z
      .array(z.string())
      .optional()
      .describe('Multi-node brokers only: nodes that did not answer this tick (a hole in their series; the total leaves them out).'),
  })
  .describe('One broker sample (~4 Hz). Cumulative counters are broker-wide.');

const brokerNode = z
  .looseObject({
    node: z.string(),
    connectionMax: z.number().int().positive().optional().describe("The node's own connection_max, when known."),
  })
  .describe('A broker node the run sampled.');

const timelineEvent = z.looseObject({
  t: z.number(),
  kind: z.enum(['phase', 'fault-start', 'fault-end', 'abort', 'note']),
  message: z.string(),
  faultId: z.number().int().nonnegative().optional().describe("Fault actions: the fault's index in the scenario's chaos list (pairs start, end and notes)."),
  scheduledSec: z.number().optional().describe('Fault actions: when the timeline meant the action to start (s since load start).'),
  actionStartSec: z.number().optional().describe("Fault actions: when the action began (a fault-start's t)."),
  actionEndSec: z.number().optional().describe("Fault actions: when the action returned (a fault-end's t)."),
  error: z.string().optional().describe('Fault actions: why the action failed.'),
  attempt: z.number().int().positive().optional().describe('Reverts: which attempt (a failed revert is retried until the run ends).'),
});

const ruleResult = z
  .looseObject({
    name: z.string().min(1).describe('Stable rule id, e.g. "connections.ceiling".'),
    passed: z.boolean(),
    limit: z.string().describe('The limit as the user wrote it (or the default).'),
    value: z.string().describe('The measured value that decided the rule, as displayed.'),
    message: z.string().describe('One plain sentence that explains the outcome.'),
    judged: z.literal(false).optional().describe('false: the rule could not be judged from this run (e.g. latency in a watch); it does not decide the verdict.'),
    warning: z.literal(true).optional().describe('true: a warning, printed `warn:`; it does not decide the verdict.'),
  })
  .describe('The outcome of one gate rule.');

const phase = z.looseObject({
  name: z.string(),
  kind: z.string(),
  startSec: z.number(),
  endSec: z.number(),
  fromRps: z.number().nonnegative(),
  toRps: z.number().nonnegative(),
  clockStart: z.string(),
});

const brokerSummary = z.looseObject({
  baselineConnections: z.number(),
  peakConnections: z.number(),
  finalConnections: z.number(),
  baselineChannels: z.number(),
  peakChannels: z.number(),
  finalChannels: z.number(),
  connectionsOpened: z.number(),
  connectionsClosed: z.number(),
  connectionMax: z.number().int().positive().optional().describe("The node's connection_max, when the harness set one."),
});

const integrity = z
  .looseObject({
    runId: z.string(),
    exchange: z.string(),
    routingKey: z.string(),
    sent: z.number().int().nonnegative(),
    acknowledged: z.number().int().nonnegative(),
    refused: z.number().int().nonnegative(),
    noResponse: z.number().int().nonnegative(),
    arrived: z.number().int().nonnegative(),
    messages: z.number().int().nonnegative(),
    acknowledgedButLost: z.looseObject({ count: z.number().int().nonnegative(), samples: z.array(z.string()) }).describe('2xx whose id never reached the broker.'),
    refusedButPublished: z
      .looseObject({
        count: z.number().int().nonnegative(),
        byClass: counts,
        samples: z.array(z.looseObject({ id: z.string(), outcome: z.string() })),
      })
      .describe('Refused or unanswered requests whose id reached the broker anyway.'),
    duplicates: z.looseObject({
      count: z.number().int().nonnegative(),
      extraMessages: z.number().int().nonnegative(),
      samples: z.array(z.looseObject({ id: z.string(), copies: z.number().int() })),
    }),
    unsolicited: z.looseObject({ count: z.number().int().nonnegative(), samples: z.array(z.string()) }),
    foreign: z.looseObject({ count: z.number().int().nonnegative(), withoutId: z.number().int().nonnegative(), samples: z.array(z.string()) }),
    untracked: z.number().int().nonnegative().optional().describe("Requests beyond the tap's capacity, not reconciled."),
    notReconciled: z.number().int().nonnegative().optional().describe('2xx answered before the tap was bound whose ids it did not see: not reconciled, not counted lost.'),
    tapBoundLate: z
      .looseObject({ atIso: z.string(), atSec: z.number().describe('Seconds since load start.'), waitedMs: z.number().nonnegative() })
      .optional()
      .describe('The exchange appeared only after the run started; the tap was bound then.'),
    drain: z.looseObject({ quiet: z.boolean(), waitedMs: z.number(), quietMs: z.number(), timeoutMs: z.number() }).optional(),
    tapInterrupted: z.looseObject({ atIso: z.string(), reason: z.string() }).optional(),
    tapReconnects: z.number().int().nonnegative().optional().describe('Durable tap only: times it resumed on its queue after losing its connection.'),
    worker: z
      .looseObject({
        accepted: z.number().int().nonnegative(),
        processed: z.number().int().nonnegative(),
        waiting: z.number().int().nonnegative(),
        withdrawn: z.number().int().nonnegative().optional(),
        waitingSample: z.array(z.string()).optional(),
      })
      .optional(),
  })
  .describe("Reconciliation of request ids against what reached the broker; absent when no exchange was tapped.");

const sampling = z
  .looseObject({
    intervalMs: z.number().positive(),
    samples: z.number().int().nonnegative().describe('Samples taken while the sampler ran.'),
    expected: z.number().int().nonnegative().describe('Samples due at intervalMs over the same time.'),
    gaps: z
      .array(
        z.looseObject({
          from: z.number().describe('Seconds since load start.'),
          to: z.number(),
          seconds: z.number().nonnegative(),
          reason: z.string().describe('What is known of why no sample was taken.'),
        }),
      )
      .describe('Stretches longer than 2 intervals without a broker sample.'),
    nodes: z
      .array(
        z.looseObject({
          node: z.string(),
          samples: z.number().int().nonnegative(),
          gaps: z.array(z.looseObject({ from: z.number(), to: z.number(), seconds: z.number().nonnegative(), reason: z.string() })),
        }),
      )
      .optional()
      .describe("Multi-node brokers only: each node's own sampling; a node that did not answer is a gap of that node, not of the run."),
  })
  .describe('How well the broker was sampled.');

const attribution = z
  .looseObject({
    units: z.number().int().nonnegative().describe('Units as measured: distinct target processes holding broker connections during the load, else as named, else declared.'),
    unitsSource: z.enum(['processes', 'connection-names', 'declared']),
    declaredUnits: z.number().int().positive().describe('--units as given.'),
    connections: z.array(
      z.looseObject({
        name: z.string().describe('Client connection_name (a trailing #<n> counter shown as #*), or "(unnamed)".'),
        unit: z.string(),
        baseline: z.number().int().nonnegative(),
        peak: z.number().int().nonnegative(),
        end: z.number().int().nonnegative(),
      }),
    ),
  })
  .describe("Who held the target's broker connections, from the management API.");

export const runRecordSchema = z
  .looseObject({
    schemaVersion: z.literal(RUN_RECORD_SCHEMA_VERSION).describe('Version of this schema; a reader refuses other versions.'),
    tool: z.looseObject({ name: z.literal('rushgate'), version: z.string() }),
    startedAt: z.string(),
    endedAt: z.string(),
    loadStartedAt: z.string().optional().describe('Wall-clock UTC time of t = 0 (load start).'),
    scenario: z.looseObject({
      name: z.string(),
      description: z.string(),
      wallDurationSec: z.number().nonnegative(),
      peakRps: z.number().nonnegative(),
      seed: z.number(),
      phases: z.array(phase).describe('Phases in wall seconds since load start.'),
    }),
    target: z.looseObject({
      kind: z.enum(['reference', 'command', 'external']),
      publisher: z.string().optional(),
      units: z.number().int().positive(),
      command: z.string().optional(),
      url: z.string().describe('Target base URL; userinfo is redacted.'),
    }),
    stack: z.looseObject({ kind: z.enum(['local', 'testcontainers', 'external']), connectionMax: z.number().int().positive().optional() }),
    limits: z.record(z.string(), z.unknown()),
    environment: z.looseObject({ node: z.string(), platform: z.string(), cpus: z.number().int().nonnegative(), hostname: z.string() }),
    load: z.array(loadSecond),
    broker: z.array(brokerSample),
    events: z.array(timelineEvent),
    summary: z.looseObject({
      requests: z.number().int().nonnegative(),
      scheduled: z.number().int().nonnegative(),
      dropped: z.number().int().nonnegative(),
      status: counts,
      errors: counts,
      latency: latency.extend({ mean: z.number().nonnegative() }).describe('Whole-run latency, milliseconds.'),
      achievedRps: z.number().nonnegative(),
      durationSec: z.number().nonnegative(),
      broker: brokerSummary,
      classes: statusClasses.optional(),
    }),
    verdict: z.looseObject({
      passed: z.boolean(),
      rules: z.array(ruleResult),
      aborted: z.looseObject({ t: z.number(), rule: z.string(), reason: z.string() }).optional(),
    }),
    integrity: integrity.optional(),
    sampling: sampling.optional(),
    attribution: attribution.optional(),
    calls: z.record(z.string(), callSummary).optional().describe('Per-call results by call name.'),
    validity: validity.optional(),
    firstErrors: z.array(firstError).optional().describe('The first few non-2xx answers.'),
    brokerNodes: z.array(brokerNode).optional().describe('Set when more than one broker node was sampled: each node, in the order of its series.'),
    interrupted: z
      .looseObject({ signal: z.string(), atSec: z.number() })
      .optional()
      .describe('Set when a signal stopped the run; atSec is seconds since load start.'),
  })
  .describe('A rushgate run record (results.json): self-contained, so every report can be rebuilt from it.');

// Compile-time guard: whatever the schema accepts is a RunRecord (the other direction is tested on
// fixtures: interfaces lack the index signature loose objects carry, so tsc cannot check it).
const _parsedIsRecord = (p: z.infer<typeof runRecordSchema>): RunRecord => p;
void _parsedIsRecord;

// A field added to the run-record types must be added here too (loose objects would accept it silently,
// but the shipped JSON Schema would not document it). tsc names the missing key.
type Missing<T, S extends { shape: object }> = Exclude<keyof T, keyof S['shape']>;
const top = runRecordSchema.shape;
type SchemaGaps = [
  Missing<RunRecord, typeof runRecordSchema>,
  Missing<LoadSecond, typeof loadSecond>,
  Missing<BrokerSample, typeof brokerSample>,
  Missing<RuleResult, typeof ruleResult>,
  Missing<Verdict, typeof top.verdict>,
  Missing<RunSummary, typeof top.summary>,
  Missing<BrokerSummary, typeof brokerSummary>,
  Missing<RunRecord['scenario'], typeof top.scenario>,
  Missing<RunRecord['scenario']['phases'][number], typeof phase>,
  Missing<RunRecord['target'], typeof top.target>,
  Missing<RunRecord['stack'], typeof top.stack>,
  Missing<RunRecord['environment'], typeof top.environment>,
  Missing<TimelineEvent, typeof timelineEvent>,
  Missing<IntegrityReport, typeof integrity>,
  Missing<SamplingInfo, typeof sampling>,
  Missing<AttributionInfo, typeof attribution>,
  Missing<CallSummary, typeof callSummary>,
  Missing<StatusClasses, typeof statusClasses>,
  Missing<Validity, typeof validity>,
  Missing<ValidityFinding, typeof validityFinding>,
  Missing<FirstError, typeof firstError>,
  Missing<NodeSample, typeof nodeSample>,
  Missing<BrokerNodeInfo, typeof brokerNode>,
  Missing<NonNullable<IntegrityReport['worker']>, (typeof integrity.shape.worker)['unwrap'] extends () => infer W ? W : never>,
];
const _allKeys: never[] = [] as SchemaGaps[number][];
void _allKeys;

export const RESULTS_SCHEMA_ID = `urn:rushgate:results:v${RUN_RECORD_SCHEMA_VERSION}`;

/** The JSON Schema shipped as harness/report/results.schema.json. */
export function resultsJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(runRecordSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: RESULTS_SCHEMA_ID,
    title: `rushgate results.json, schema version ${RUN_RECORD_SCHEMA_VERSION}`,
    ...rest,
  };
}
