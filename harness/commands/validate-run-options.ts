// Every number and URL a user gives a run is checked here, before anything starts: a broker that took
// 10 s to come up must not be the first thing to find out that --in-flight was 0. Each bound says why.
import type { Argv } from 'yargs';
import { buildFault } from '../chaos/build-fault.ts';
import type { FaultContext } from '../chaos/fault.ts';
import { UsageError } from '../errors.ts';
import { parseDuration } from '../parse-duration.ts';
import { redactUrl } from '../redact.ts';
import { prometheusUrlList } from '../probe/broker-nodes.ts';
import { assertLoopbackTarget } from '../run/target-guard.ts';
import { MAX_BROKER_NODES } from '../stack/rabbitmq-cluster.ts';
import type { StackKind } from '../stack/stack.ts';
import type { Scenario } from '../../scenarios/define-scenario.ts';
import type { Schedule, ScheduleOptions } from '../../scenarios/schedule.ts';

/** Upper bounds on what a user may ask for, each with the reason shown when it is passed. */
export const BOUNDS = {
  peakRps: { max: 100_000, why: 'one harness process offers at most ~55,000 req/s on loopback; more is not a load it can send' },
  durationSec: { max: 24 * 3600, why: "a run keeps its per-second timeline and every request id in memory; split longer soaks into runs of 24h or less" },
  totalRequests: { max: 200_000_000, why: 'every request id is kept for reconciliation (~3 MB per million); lower --peak-rps or --duration' },
  timeoutSec: { max: 300, why: 'a request that has waited 5 minutes has failed' },
  cooldownSec: { max: 3600, why: 'the residue rule needs seconds to minutes of cool-down, not hours' },
  inFlight: { max: 100_000, why: 'each request in flight holds a socket; the OS runs out of ports and file descriptors long before' },
  connectionMax: { max: 1_000_000, why: "RabbitMQ's connection_max; a broker never holds more" },
  brokerNodes: { max: MAX_BROKER_NODES, why: 'each node is a RabbitMQ VM on this machine (~150 MB and a share of the cores); 3 shows a cluster' },
} as const;

/** Flags whose value may start with "-" (so `--duration -5s` is read as a bad duration, not as flags -5 -s). */
const VALUE_FLAGS = ['duration', 'peak-rps', 'units', 'in-flight', 'timeout', 'cooldown', 'connection-max', 'broker-nodes'];

/** Makes each numeric/duration flag take the next word as its value, even when it starts with "-". */
export function valuesMayStartWithDash<T>(y: Argv<T>): Argv<T> {
  return y.nargs(Object.fromEntries(VALUE_FLAGS.map((f) => [f, 1])));
}

/** Throws a UsageError for the first flag of `run`/`incident` that is out of bounds or unreadable. */
export function validateRunArgs(args: Record<string, unknown>): void {
  const number = (flag: string, opts: { integer?: boolean; min: number; max: number; why: string }) => {
    const raw = args[flag];
    if (raw === undefined) return;
    const n = typeof raw === 'number' ? raw : Number(raw);
    const kind = opts.integer ? 'a whole number' : 'a number';
    if (!Number.isFinite(n) || (opts.integer && !Number.isInteger(n))) throw new UsageError(`--${flag} must be ${kind} from ${opts.min} to ${fmt(opts.max)} (got ${shown(raw)}).`);
    if (n < opts.min || n > opts.max) throw new UsageError(`--${flag} must be ${kind} from ${opts.min} to ${fmt(opts.max)} (got ${shown(raw)}): ${opts.why}.`);
  };
  const duration = (flag: string, bound: { max: number; why: string }) => {
    const raw = args[flag];
    if (raw === undefined) return;
    if (typeof raw !== 'string' && typeof raw !== 'number') throw new UsageError(`--${flag} takes one duration, e.g. 60s (got ${shown(raw)}).`);
    if (/^\s*-/.test(String(raw))) throw new UsageError(`--${flag} must be more than zero (got ${raw}).`);
    const sec = parseDuration(raw, `--${flag}`);
    if (sec > bound.max) throw new UsageError(`--${flag} must be at most ${formatSec(bound.max)} (got ${raw}): ${bound.why}.`);
  };
  // A flag given twice arrives as an array: "--scenario a --scenario b" is not two scenarios.
  for (const [key, value] of Object.entries(args)) {
    if (Array.isArray(value) && !REPEATABLE.has(key) && /^[a-z]+(-[a-z]+)*$/.test(key)) throw new UsageError(`--${key} was given ${value.length} times; give it once.`);
  }
  number('units', { integer: true, min: 1, max: 64, why: 'one process per unit on this machine' });
  number('peak-rps', { min: 0.001, max: BOUNDS.peakRps.max, why: BOUNDS.peakRps.why });
  number('in-flight', { integer: true, min: 1, max: BOUNDS.inFlight.max, why: BOUNDS.inFlight.why });
  number('connection-max', { integer: true, min: 1, max: BOUNDS.connectionMax.max, why: BOUNDS.connectionMax.why });
  number('broker-nodes', { integer: true, min: 1, max: BOUNDS.brokerNodes.max, why: BOUNDS.brokerNodes.why });
  if (args['broker-nodes'] !== undefined && args.stack === 'external') {
    throw new UsageError('--broker-nodes starts a cluster (local nodes or containers); with --stack external the cluster is yours: point --amqp-url at it instead.');
  }
  duration('duration', BOUNDS.durationSec);
  duration('timeout', BOUNDS.timeoutSec);
  duration('cooldown', BOUNDS.cooldownSec);
  if (args.stack === 'external') validateExternalUrls(args);
}

/** Flags that may be given more than once: limits, and one Prometheus endpoint per broker node. */
const REPEATABLE = new Set(['limit', '_', 'prometheus-url']);

const URL_FLAGS = [
  { flag: 'amqp-url', what: 'broker', protocols: ['amqp:', 'amqps:'] },
  { flag: 'management-url', what: 'management API', protocols: ['http:', 'https:'] },
  { flag: 'prometheus-url', what: 'Prometheus endpoint', protocols: ['http:', 'https:'] },
  { flag: 'target-url', what: 'target', protocols: ['http:'] },
] as const;

/** External stack: each URL parses, its credentials decode, and every piece is on this machine unless allowed. */
export function validateExternalUrls(args: Record<string, unknown>): void {
  const urls: Array<{ what: string; url: string }> = [];
  for (const { flag, what, protocols } of URL_FLAGS) {
    const raw = args[flag];
    if (raw === undefined) continue;
    for (const text of flag === 'prometheus-url' ? prometheusUrlList(raw) : [String(raw)]) urls.push({ what, url: checkedUrl(flag, text, protocols) });
  }
  assertLoopbackTarget(urls, Boolean(args['allow-remote-target']));
}

function checkedUrl(flag: string, text: string, protocols: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--${flag} ${redactUrl(text)} is not a URL.`);
  }
  if (!(protocols as readonly string[]).includes(url.protocol)) {
    throw new UsageError(`--${flag} must be a ${protocols.map((p) => `${p}//`).join(' or ')} URL (got ${url.protocol}//).`);
  }
  for (const part of [url.username, url.password]) {
    try {
      decodeURIComponent(part);
    } catch {
      throw new UsageError(`--${flag} ${redactUrl(text)} has a user name or password with a bad %-escape; write "%" itself as %25.`);
    }
  }
  return text;
}

type Need = keyof Omit<FaultContext, 'log' | 'note'>;

/** What each stack offers to faults (what harness/stack/*.ts fill in); external gets rabbitmqctl or the control channel only from a caller. */
function offers(kind: StackKind, externalCtl: boolean, brokerNodes: number): Set<Need> {
  if (kind === 'external') return new Set<Need>(['management', 'amqpAddress', ...(externalCtl ? (['ctl', 'erl'] as const) : [])]);
  // Both own their cluster's members: a local process group, or a container the engine stops, kills and starts.
  const cluster = brokerNodes > 1 ? (['cluster'] as const) : [];
  return new Set<Need>(['ctl', 'erl', 'restartBroker', 'management', 'amqpAddress', 'proxy', ...cluster]);
}

/**
 * The scenario's own numbers (a user's file may say `rps: 1e308` or run for years), checked before its
 * schedule is built: the rate the run would really offer and the wall time it would take.
 */
export function validateScenarioLoad(scenario: Scenario, opts: ScheduleOptions): void {
  const wall = opts.durationSec ?? scenario.defaultDurationSec;
  const peak = opts.peakRps ?? scenario.peakRps;
  const where = `Scenario "${scenario.name}"`;
  if (!(wall <= BOUNDS.durationSec.max)) throw new UsageError(`${where} runs for ${wall} s; at most ${formatSec(BOUNDS.durationSec.max)}: ${BOUNDS.durationSec.why}.`);
  const scale = peak / scenario.peakRps;
  const highest = Math.max(peak, ...scenario.phases.map((p) => Math.max(p.fromRps, p.toRps) * scale));
  if (!(highest <= BOUNDS.peakRps.max)) {
    throw new UsageError(`${where} would offer ${fmt(highest)} req/s at its peak; at most ${fmt(BOUNDS.peakRps.max)}: ${BOUNDS.peakRps.why}.`);
  }
}

/**
 * Checks, before the stack starts, what only the scenario and the stack kind together decide: that the
 * load fits in memory and that every fault on the timeline can be injected on this stack.
 */
export function validateRunPlan(schedule: Schedule, kind: StackKind, opts: { externalCtl?: boolean; brokerNodes?: number } = {}): void {
  if (schedule.total > BOUNDS.totalRequests.max) {
    throw new UsageError(`This run would send ${fmt(schedule.total)} requests; at most ${fmt(BOUNDS.totalRequests.max)}: ${BOUNDS.totalRequests.why}.`);
  }
  const brokerNodes = opts.brokerNodes ?? 1;
  if (brokerNodes > 1 && kind === 'external') throw new UsageError(`--broker-nodes ${brokerNodes} needs --stack local or testcontainers (the external stack's nodes are yours).`);
  const offered = offers(kind, Boolean(opts.externalCtl), brokerNodes);
  const problems: string[] = [];
  const unmet = new Set<Need>();
  for (const f of schedule.faults) {
    const fault = buildFault(f.spec, f.forSec);
    for (const need of fault.needs) {
      if (offered.has(need)) continue;
      unmet.add(need);
      problems.push(`${fault.kind} at ${schedule.clockAt(f.atSec)} needs ${need === 'erl' ? 'erl (Erlang access to the broker: rabbitmqctl or its cookie)' : need}, which the ${kind} stack does not offer`);
    }
  }
  if (problems.length === 0) return;
  const needsCluster = kind !== 'external' && unmet.has('cluster');
  throw new UsageError(`This scenario's faults cannot run on the ${kind} stack: ${problems.join('; ')}. ${needsCluster ? 'Node faults need a cluster: add --broker-nodes 3.' : 'Use --stack local, or a scenario without them.'}`);
}

function shown(raw: unknown): string {
  return typeof raw === 'number' && Number.isNaN(raw) ? 'not a number' : String(raw);
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

function formatSec(sec: number): string {
  return sec >= 3600 && sec % 3600 === 0 ? `${sec / 3600}h` : sec >= 60 && sec % 60 === 0 ? `${sec / 60}m` : `${sec}s`;
}
