import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { faultContext, prepareFaults } from '../chaos/prepare-faults.ts';
import { startFaultTimeline, type FaultTimeline } from '../chaos/timeline.ts';
import { checkAbort } from '../gate/abort.ts';
import { resolveLimits, type LimitsSource } from '../gate/resolve-limits.ts';
import { runLoad } from '../load/driver.ts';
import { CallTally } from '../load/call-tally.ts';
import { callInfos, createCallSource } from '../../scenarios/calls/call-source.ts';
import { resolveEnv, runSetup } from '../../scenarios/calls/run-values.ts';
import { attachProgress, type Progress } from '../load/progress.ts';
import { startBrokerSampler } from '../probe/broker-sampler.ts';
import { brokerNodesOf, nodesToSample } from '../probe/broker-nodes.ts';
import { startConnectionAttribution } from '../probe/connection-attribution.ts';
import { createManagementClient } from '../probe/management-api.ts';
import { runClock, wallMs } from '../probe/run-clock.ts';
import type { LoadSecond, RunRecord, TimelineEvent } from '../run-record.ts';
import { redactText, redactUrl } from '../redact.ts';
import { brokerAddress } from '../stack/local.ts';
import { startStack, resolveStackKind, type StackChoice } from '../stack/select-stack.ts';
import type { ExternalPieces } from '../stack/stack.ts';
import type { StartedRabbitNode } from '../stack/rabbitmq-node.ts';
import type { StartedRabbitCluster } from '../stack/rabbitmq-cluster.ts';
import type { Publisher } from '../stack/target-process.ts';
import { loadScenario, type Scenario } from '../../scenarios/index.ts';
import { resolveSchedule } from '../../scenarios/schedule.ts';
import { startVerificationTap, type VerificationTap } from '../verify/tap.ts';
import { fetchWorkerStatus } from '../verify/worker-status.ts';
import { buildRunRecord } from './build-record.ts';
import { judgeRecord } from './judge-record.ts';
import { checkValidity } from './validity.ts';
import { ABORT_GRACE_MS, afterLoad, sampleUntilSeen } from './after-load.ts';
import { assertLoopbackTarget } from './target-guard.ts';
import { interruption, markReportable, onInterrupt } from '../lifecycle/interrupt.ts';
import { validateRunPlan, validateScenarioLoad } from '../commands/validate-run-options.ts';

/** The exchange the reference service publishes accepted calls to (service/config.ts). */
const REFERENCE_EXCHANGE = 'rushgate.items';

export interface RunOptions {
  /** A built-in name or a file path, or a scenario already made with defineScenario(). */
  scenario: string | Scenario;
  durationSec?: number;
  peakRps?: number;
  stack: StackChoice;
  targetCommand?: string;
  publisher?: Publisher;
  units: number;
  connectionMax?: number;
  containers?: { brokerImage?: string; targetImage?: string };
  /** Local stack: reuse this running node (the caller stops it), e.g. for several runs in a row. */
  broker?: StartedRabbitNode;
  /** Local stack: this many broker nodes in one cluster (default 1). */
  brokerNodes?: number;
  /** Local stack: reuse this running cluster (the caller stops it). */
  brokerCluster?: StartedRabbitCluster;
  /** Exchange the target publishes accepted calls to; the reference service's is used when unset. */
  verifyExchange?: string;
  verifyRoutingKey?: string;
  healthPath?: string;
  external?: ExternalPieces;
  allowRemoteTarget?: boolean;
  limits: LimitsSource;
  abortOnFail: boolean;
  /** Idle sampling before load starts, to measure the baseline. */
  baselineSec?: number;
  /** Sampling after load ends, for the residue rule. */
  cooldownSec?: number;
  inFlightLimit?: number;
  timeoutMs?: number;
  /** Where this run's logs go (reports are written by the caller). */
  outDir: string;
  /** Progress lines for humans; the run itself never prints. */
  log: (line: string) => void;
  /** Live progress for humans, made once the run knows its length; the run itself never prints. */
  progress?: (totalSec: number) => Progress;
  /** Called with the judged record while the stack stops (reports are written meanwhile). */
  onRecord?: (record: RunRecord) => Promise<void>;
}

/**
 * One run: start the stack, measure the idle baseline, replay the schedule while sampling the broker,
 * keep sampling through the cool-down, then judge. The stack is stopped on every path.
 */
export async function executeRun(given: RunOptions): Promise<RunRecord> {
  // Secrets the run learns (env values in call headers, setup tokens) are hidden in every log line.
  const opts: RunOptions = { ...given, log: (line) => given.log(redactText(line)) };
  const scenario = typeof opts.scenario === 'string' ? await loadScenario(opts.scenario) : opts.scenario;
  validateScenarioLoad(scenario, { durationSec: opts.durationSec, peakRps: opts.peakRps });
  const schedule = resolveSchedule(scenario, { durationSec: opts.durationSec, peakRps: opts.peakRps });
  const limits = resolveLimits(opts.limits);
  const env = resolveEnv(schedule.calls, schedule.setup);
  if (opts.external) {
    assertLoopbackTarget(
      [
        { what: 'target', url: opts.external.targetUrl },
        { what: 'broker', url: opts.external.amqpUrl },
        { what: 'management API', url: opts.external.managementUrl },
        { what: 'Prometheus endpoint', url: opts.external.prometheusUrl },
        ...(opts.external.prometheusUrls ?? []).map((url) => ({ what: 'Prometheus endpoint', url })),
      ],
      opts.allowRemoteTarget ?? false,
    );
  }
  // A cluster runs on the local stack for now: `auto` takes it there rather than refusing.
  const { kind, reason } =
    opts.stack === 'auto' && (opts.brokerNodes ?? 1) > 1
      ? { kind: 'local' as const, reason: `--broker-nodes ${opts.brokerNodes}: a local cluster` }
      : await resolveStackKind(opts.stack, { brokerImage: opts.containers?.brokerImage });
  validateRunPlan(schedule, kind, {
    externalCtl: Boolean(opts.external?.brokerCtl ?? opts.external?.brokerErl),
    brokerNodes: opts.brokerCluster?.members.length ?? opts.brokerNodes,
  });
  mkdirSync(opts.outDir, { recursive: true });
  opts.log(`stack: ${kind} (${reason})${opts.connectionMax ? `, connection_max ${opts.connectionMax}` : ''}`);

  const startedAt = new Date();
  const stack = await startStack(kind, {
    connectionMax: opts.connectionMax,
    target: {
      command: opts.targetCommand,
      publisher: opts.targetCommand ? undefined : (opts.publisher ?? 'shared'),
      units: opts.units,
      verifyExchange: opts.verifyExchange,
      healthPath: opts.healthPath,
    },
    external: opts.external,
    containers: opts.containers,
    broker: opts.broker,
    brokerNodes: opts.brokerNodes,
    brokerCluster: opts.brokerCluster,
    amqpProxy: schedule.faults.some((f) => f.spec.fault === 'network'),
    logDir: resolve(opts.outDir),
  });
  const scrub = (text: string) => redactText(text, stack.secrets);
  let stopping: Promise<void> | undefined;
  const stopStack = () => (stopping ??= stack.stop());
  let faultTimeline: FaultTimeline | undefined;
  let tap: VerificationTap | undefined;
  let stopProbes: (() => Promise<unknown>) | undefined;
  try {
    opts.log(`target: ${stack.targetDescription} at ${redactUrl(stack.targetUrl)}`);
    const management = createManagementClient({ url: stack.managementUrl, ...stack.managementAuth });
    // Before the clock starts: finding an external cluster's nodes must not eat the baseline.
    // Every node of a cluster, each from its own endpoint (probe/broker-nodes.ts); none listed = one node.
    const sampled = await nodesToSample(stack, {
      prometheusUrls: opts.external?.prometheusUrls,
      management,
      checkUrl: (what, url) => assertLoopbackTarget([{ what, url }], opts.allowRemoteTarget ?? false),
      log: opts.log,
    });
    const baselineSec = opts.baselineSec ?? 3;
    const loadStartMs = wallMs() + baselineSec * 1000;
    // One wall-clock zero for the load and the sampler's worker thread, so their t agree.
    const clock = runClock(loadStartMs);
    const runId = randomBytes(4).toString('hex');
    const setup = schedule.setup ? await runSetup(schedule.setup, stack.targetUrl, env, schedule.calls) : {};
    if (schedule.setup) opts.log(`setup: ${schedule.setup.method} ${schedule.setup.path} answered; calls can read its values`);
    const source = createCallSource(schedule, { runId, env, setup });
    // Reconciliation: bound before any load when the exchange exists, so every published id is seen; else
    // as soon as the target declares it. The reference service always publishes to its exchange; a user's
    // target only when it names one.
    const verifyExchange = opts.verifyExchange ?? (opts.targetCommand || opts.external ? undefined : REFERENCE_EXCHANGE);
    tap = verifyExchange
      ? await startVerificationTap({
          amqpUrl: stack.amqpUrl,
          amqpUrls: stack.amqpUrls,
          exchange: verifyExchange,
          routingKey: opts.verifyRoutingKey,
          runId,
          expectedRequests: schedule.total,
          // Faults that drop connections must not cost the tap its messages.
          durable: schedule.faults.length > 0,
          // A target may declare its exchange on first publish: bind when it appears.
          attachWhenDeclared: { clock },
          log: opts.log,
        })
      : undefined;
    const harnessUsage = tap ? (asOfMs: number) => tap!.usage(asOfMs) : undefined;
    const sampler = startBrokerSampler({ prometheusUrl: stack.prometheusUrl, nodes: sampled.nodes, harnessNode: sampled.harnessNode, intervalMs: 250, clock, harnessUsage });
    const attribution = startConnectionAttribution({
      client: management,
      clock,
      targetPid: stack.targetPid,
      brokerPort: brokerAddress(stack.amqpUrl).port,
      brokerPorts: stack.amqpUrls?.map((u) => brokerAddress(u).port),
    });
    stopProbes = () => Promise.all([sampler.stop(), attribution.stop()]);
    const events: TimelineEvent[] = [];
    const faults = prepareFaults(schedule, stack, opts.log);
    // Shed statuses (503/429 with Retry-After) count as refused by design only while a fault is active.
    let activeFaults = 0;
    const onFaultEvent = (e: TimelineEvent): void => {
      events.push(e);
      if (e.kind === 'fault-start') activeFaults++;
      if (e.kind === 'fault-end') activeFaults = Math.max(0, activeFaults - 1);
    };
    const tally = new CallTally({
      calls: callInfos(source.calls),
      faultActive: () => activeFaults > 0,
      onFirstError: (e) => opts.log(`first answers: ${e.call} got ${e.status} at ${e.t.toFixed(1)} s: ${e.body || '(empty body)'}`),
    });

    // Made before the baseline ends: the driver opens its connections while the baseline is sampled.
    const load = runLoad({
      targetUrl: stack.targetUrl,
      schedule,
      runId,
      inFlightLimit: opts.inFlightLimit,
      timeoutMs: opts.timeoutMs,
      tally,
      calls: source,
      onOutcome: tap ? (seq, status, kind) => tap!.recordOutcome(seq, status, kind) : undefined,
      startAtEpochMs: loadStartMs,
    });
    await sleep(Math.max(0, loadStartMs - wallMs()));
    markReportable();
    faultTimeline = faults.length > 0 ? startFaultTimeline(faults, faultContext(stack, opts.log, (message) => onFaultEvent({ t: clock(), kind: 'note', message })), clock, onFaultEvent) : undefined;

    // The exchange never appeared after the first 2xx: nothing can be reconciled, so stop and say why.
    let tapFailure: unknown;
    tap?.attached.catch((err: unknown) => {
      tapFailure = err;
      void load.stop();
    });
    // Ctrl-C during the load: stop it and report what was seen (lifecycle/interrupt.ts).
    const stopOnInterrupt = onInterrupt(() => void load.stop());
    const progress = opts.progress?.(schedule.wallDurationSec);
    if (progress) attachProgress(load, progress, () => sampler.latest()?.connections);
    const seconds: LoadSecond[] = [];
    let abortedBy: RunRecord['verdict']['aborted'];
    load.on('phase', (p: { name: string; t: number }) => {
      events.push({ t: p.t, kind: 'phase', message: p.name });
    });
    load.on('second', (second: LoadSecond) => {
      seconds.push(second);
      if (!opts.abortOnFail || abortedBy) return;
      const failure = checkAbort(
        { load: seconds, broker: sampler.samples(), units: opts.units, phases: schedule.phases, loadEndSec: schedule.wallDurationSec, events },
        limits,
      );
      if (failure) {
        abortedBy = { t: second.t + 1, rule: failure.rule, reason: failure.reason };
        events.push({ t: second.t + 1, kind: 'abort', message: `${failure.rule}: ${failure.reason}` });
        opts.log(`abort: ${failure.rule} has certainly failed (${failure.reason}); stopping the load`);
        void load.stop(ABORT_GRACE_MS);
      }
    });
    const result = await load;
    if (tapFailure) throw tapFailure;
    stopOnInterrupt();
    const loadEndSec = clock();
    // Faults end with the load, so the cool-down measures recovery, not the fault.
    await faultTimeline?.stop();
    // An aborted run only settles briefly (its verdict is already fail); an interrupted one skips the
    // cool-down: the user asked it to stop, and wants the report now.
    const interrupted = interruption() !== undefined;
    const after = afterLoad(abortedBy !== undefined || interrupted, interrupted ? 0 : (opts.cooldownSec ?? 5));
    const why = interrupted ? 'settling (interrupted)' : abortedBy ? 'settling (aborted)' : 'cool-down';
    opts.log(`load done after ${loadEndSec.toFixed(1)} s; sampling ${after.sampleSec} s of ${why}`);
    const [drained] = await Promise.all([tap?.drain(after.drain), sleepUnlessInterrupted(after.sampleSec * 1000)]);
    if (!interrupted) await sampleUntilSeen(sampler, loadEndSec, opts.log);
    await stopProbes();
    const integrity = tap ? tap.reconcile() : undefined;
    if (integrity) {
      const worker = await fetchWorkerStatus(stack.targetUrl, after.workerStatusTimeoutMs).catch(() => undefined);
      if (worker) integrity.worker = worker;
      if (drained && !drained.quiet) opts.log(`verification tap still receiving after ${(drained.waitedMs / 1000).toFixed(1)} s; reconciled what arrived`);
    }
    await tap?.stop();

    const record = buildRunRecord({
      startedAt,
      endedAt: new Date(),
      schedule,
      scenario,
      load: result,
      broker: sampler.samples(),
      events,
      limits,
      loadEndSec,
      target: {
        kind: opts.targetCommand ? 'command' : opts.external ? 'external' : 'reference',
        publisher: opts.targetCommand || opts.external ? undefined : (opts.publisher ?? 'shared'),
        units: opts.units,
        command: opts.targetCommand ? scrub(opts.targetCommand) : undefined,
        url: redactUrl(stack.targetUrl),
      },
      stack: { kind, connectionMax: stack.connectionMax },
    });
    if (integrity) record.integrity = integrity;
    record.sampling = sampler.sampling();
    const brokerNodes = brokerNodesOf(sampled.nodes);
    if (brokerNodes) record.brokerNodes = brokerNodes;
    record.attribution = attribution.report({ declaredUnits: opts.units, loadEndSec });
    record.validity = checkValidity(record);
    const stoppedBy = interruption();
    if (stoppedBy) record.interrupted = { signal: stoppedBy.signal, atSec: Math.round(((stoppedBy.atMs - loadStartMs) / 1000) * 100) / 100 };
    record.loadStartedAt = new Date(loadStartMs).toISOString();
    record.verdict = judgeRecord(record, limits, abortedBy);
    await Promise.all([opts.onRecord?.(record), stopStack()]);
    return record;
  } catch (err) {
    const tail = stack.targetTail();
    if (tail) opts.log(`last output of the target:\n${tail}`);
    throw err;
  } finally {
    await stopProbes?.();
    await faultTimeline?.stop();
    await tap?.stop();
    await stopStack();
  }
}

/** A sleep that a Ctrl-C cuts short. */
function sleepUnlessInterrupted(ms: number): Promise<void> {
  return new Promise((r) => {
    const timer = setTimeout(done, ms);
    const unsubscribe = onInterrupt(done);
    function done() {
      clearTimeout(timer);
      unsubscribe();
      r();
    }
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
