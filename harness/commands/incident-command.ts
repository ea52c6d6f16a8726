import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { EXIT } from '../errors.ts';
import { writeComparison } from '../report/compare.ts';
import { writeReports } from '../report/write-reports.ts';
import type { RunRecord } from '../run-record.ts';
import { executeRun } from '../run/execute-run.ts';
import { printVerdict } from '../run/print-verdict.ts';
import { startRabbitNode } from '../stack/rabbitmq-node.ts';
import { resolveStackKind } from '../stack/select-stack.ts';
import type { Publisher } from '../stack/target-process.ts';
import { loadScenario } from '../../scenarios/index.ts';
import { resolveSchedule, type Schedule } from '../../scenarios/schedule.ts';
import { checkIncidentExpectations, type Expectation } from './incident-expectations.ts';
import { runOptionsFrom, withLoadOptions } from './run-command.ts';
import { sweepDeadRuns } from '../lifecycle/sweep-dead-runs.ts';

const SCENARIO = 'eu-morning';
// 30 s keeps the morning's shape (the leak meets connection_max early in peak-1, 162 requests fail in the
// peaks; 393 at 36 s) and brings the replay under 90 s once set up (84-86 s here, against 96-99 s at 36).
const INCIDENT_DURATION_SEC = 30;
/** The reference service's drain of in-flight requests when it stops (its default is 5 s). */
const INCIDENT_SERVICE_DRAIN_MS = 1_000;

export const incidentCommand = {
  command: 'incident',
  describe: 'Reproduce the outage: the European morning burst against the leaky service, then the fixed one',
  builder: (y: Argv) =>
    withLoadOptions(y)
      .option('out', { type: 'string', default: join('reports', 'incident'), describe: 'Report directory' })
      .option('connection-max', { type: 'number', describe: 'Broker connection_max (default: what the leak reaches early in the first peak)' }),
  handler: async (args: Record<string, unknown>): Promise<number> => {
    const out = resolve(String(args.out));
    const base = runOptionsFrom({ ...args, scenario: SCENARIO }, out);
    await sweepDeadRuns((line) => process.stderr.write(`rushgate: ${line}\n`));
    // A reproduction for a laptop: the whole morning in 30 s per run, 2 s of idle baseline (eight broker
    // samples) and 2 s of cool-down (the leak's residue shows at once and is read after a 1 s settle), so
    // both runs and the set-up take well under two minutes.
    base.durationSec ??= INCIDENT_DURATION_SEC;
    base.baselineSec ??= 2;
    base.cooldownSec ??= 2;
    const schedule = resolveSchedule(await loadScenario(SCENARIO), { durationSec: base.durationSec, peakRps: base.peakRps });
    const connectionMax = (args['connection-max'] as number | undefined) ?? saturatingConnectionMax(schedule);
    base.log(
      `incident replay: ${SCENARIO} in ${schedule.wallDurationSec} s at up to ${schedule.peakRps} req/s, ` +
        `broker connection_max ${connectionMax} (the leak reaches it early in peak-1, ${clockOfFirstPeak(schedule)} UTC)`,
    );

    // On the local stack both runs share one broker (a node start is ~10 s here); once the leaky service
    // is stopped its connections close and the shared run measures its own baseline.
    const { kind } = await resolveStackKind(base.stack, { brokerImage: base.containers?.brokerImage });
    // Each run is measured by the time its service stops: the leaky service's 5 s drain of requests stuck
    // on the saturated broker (already counted as failed or unanswered) would only delay the next run.
    process.env.SHUTDOWN_DRAIN_MS ??= String(INCIDENT_SERVICE_DRAIN_MS);
    const broker = kind === 'local' ? await startRabbitNode({ connectionMax }) : undefined;
    let brokerStopping: Promise<void> | undefined;
    const stopBroker = () => (brokerStopping ??= broker?.stop() ?? Promise.resolve());
    const records: Partial<Record<Publisher, RunRecord>> = {};
    try {
      for (const publisher of ['leaky', 'shared'] as const) {
        base.log(`--- ${publisher} publisher ---`);
        const runOut = join(out, publisher);
        // A reproduction watches the whole morning: no early abort, whatever CI mode says.
        // Reports are written while the run's service stops.
        const onRecord = async (r: RunRecord) => printVerdict(r, await writeReports(r, runOut), { quiet: Boolean(args.quiet) });
        records[publisher] = await executeRun({ ...base, stack: kind, broker, publisher, connectionMax, outDir: runOut, abortOnFail: false, onRecord });
      }
    } catch (err) {
      await stopBroker();
      throw err;
    }
    // The side-by-side charts render while the broker stops: both runs are measured.
    const leaky = records.leaky!;
    const shared = records.shared!;
    const expectations = checkIncidentExpectations(leaky, shared);
    const stopping = stopBroker();
    const compared = await writeComparison(
      [
        { label: 'leaky (the incident)', record: leaky },
        { label: 'shared (the fix)', record: shared },
      ],
      out,
    ).finally(() => stopping);
    writeFileSync(join(out, 'summary.md'), incidentSummary(leaky, shared, expectations));
    const held = expectations.every((e) => e.held);
    process.stdout.write(`\nIncident reproduction ${held ? 'behaved as expected' : 'did NOT behave as expected'}:\n`);
    for (const e of expectations) process.stdout.write(`  ${e.held ? 'ok:  ' : 'fail:'} ${e.run.padEnd(6)} ${e.what} (${e.detail})\n`);
    process.stdout.write(`  summary: ${join(out, 'summary.md')}; side by side: ${compared.join(', ')}\n`);
    return held ? EXIT.passed : EXIT.failed;
  },
};

/**
 * The leaky service opens one connection per request, so connections track cumulative requests. A cap a
 * little past what the morning has sent when peak-1 begins makes the broker saturate at the peak, as it
 * did at 07:45 UTC.
 */
export function saturatingConnectionMax(schedule: Schedule): number {
  const peak = schedule.phases.find((p) => p.name.startsWith('peak'));
  if (!peak) return 100;
  let beforePeak = 0;
  let inPeak = 0;
  for (let t = 0; t < schedule.seconds; t++) {
    const s = schedule.second(t);
    if (s.t < peak.startSec) beforePeak += s.scheduled;
    else if (s.t < peak.endSec) inPeak += s.scheduled;
  }
  return Math.max(50, Math.round(beforePeak + inPeak * 0.15));
}

function clockOfFirstPeak(schedule: Schedule): string {
  return schedule.phases.find((p) => p.name.startsWith('peak'))?.clockStart ?? '?';
}

function incidentSummary(leaky: RunRecord, shared: RunRecord, expectations: Expectation[]): string {
  const row = (name: string, r: RunRecord) => {
    const s = r.summary;
    const fivexx = Object.entries(s.status).reduce((n, [c, k]) => n + (Number(c) >= 500 ? k : 0), 0);
    const noAnswer = Object.values(s.errors).reduce((a, b) => a + b, 0);
    return `| ${name} | ${r.verdict.passed ? 'passed' : '**failed**'} | ${s.requests} | ${fivexx} | ${noAnswer} | ${s.broker.baselineConnections} | ${s.broker.peakConnections} | ${s.broker.finalConnections} | ${s.latency.p99.toFixed(0)} ms |`;
  };
  const firstFailure = leaky.verdict.rules.find((r) => !r.passed);
  return [
    '# Incident replay: the European morning burst',
    '',
    `The same burst (${leaky.scenario.name}, ${leaky.scenario.wallDurationSec} s, peak ${leaky.scenario.peakRps} req/s) ` +
      `against the reference ingestion service twice, on a broker with connection_max ${leaky.summary.broker.connectionMax ?? '-'}: ` +
      'first with the connection handling that caused the outage (`leaky`: a new connection per request, never closed), ' +
      'then with the fix (`shared`: one connection per unit).',
    '',
    '| run | gate | requests | 5xx | no answer | baseline conns | peak conns | conns after | p99 |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
    row('leaky', leaky),
    row('shared', shared),
    '',
    firstFailure ? `Why the leaky run failed: ${firstFailure.message}` : 'The leaky run did not fail any rule.',
    '',
    '## Did the reproduction behave as expected?',
    '',
    ...expectations.map((e) => `- ${e.held ? 'yes' : '**no**'}: ${e.run}: ${e.what} (${e.detail})`),
    '',
    'Each run has its own report in `leaky/` and `shared/` (report.html, summary.md, results.json, junit.xml); ' +
      '`compare.html` shows both on the same charts.',
    '',
  ].join('\n');
}
