import { join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { EXIT, UsageError } from '../errors.ts';
import { parseDuration } from '../parse-duration.ts';
import { writeReports } from '../report/write-reports.ts';
import { createProgress } from '../load/progress.ts';
import { executeRun, type RunOptions } from '../run/execute-run.ts';
import { printReportFiles, printVerdict } from '../run/print-verdict.ts';
import { PUBLISHERS, type Publisher } from '../stack/target-process.ts';
import { deferExitUntil } from '../lifecycle/interrupt.ts';
import { sweepDeadRuns } from '../lifecycle/sweep-dead-runs.ts';
import { validateRunArgs, valuesMayStartWithDash } from './validate-run-options.ts';
import { prometheusUrlList } from '../probe/broker-nodes.ts';
import { emitVerdict, withVerdictOutputOptions } from './verdict-output.ts';

const STACKS = ['auto', 'local', 'testcontainers', 'external'] as const;

/** Options shared by `run` and `incident`. */
export function withLoadOptions<T>(y: Argv<T>) {
  return valuesMayStartWithDash(y)
    .option('duration', { type: 'string', describe: 'Wall time the scenario timeline is compressed into (e.g. 60s, 2m)' })
    .option('peak-rps', { type: 'number', describe: "Scale the scenario's load so its peak is this many requests/s" })
    .option('units', { type: 'number', default: 2, describe: 'Worker processes of the target (UNITS)' })
    .option('stack', { choices: STACKS, default: 'auto' as const, describe: 'Where the broker and target run' })
    .option('limit', { type: 'string', array: true, default: [] as string[], describe: 'Gate limit, e.g. "errors.rate<1%" (repeatable)' })
    .option('limits-file', { type: 'string', describe: 'JSON file of gate limits' })
    .option('ci', { type: 'boolean', default: process.env.CI === 'true', describe: 'CI mode: abort on a certain failure, no TTY output' })
    .option('abort-on-fail', { type: 'boolean', describe: 'Stop the load once a rule has certainly failed (default: on with --ci)' })
    .option('quiet', { type: 'boolean', default: false, describe: 'Only the verdict' })
    .option('in-flight', { type: 'number', describe: 'Most requests in flight at once; arrivals beyond it are counted as dropped' })
    .option('timeout', { type: 'string', describe: 'Per-request timeout (default 5s)' })
    .option('cooldown', { type: 'string', describe: 'Sampling after the load ends, for the residue rule (default 5s)' });
}

export const runCommand = {
  command: 'run',
  describe: 'Replay a scenario against a target and gate on broker connections, errors and latency',
  builder: (y: Argv) =>
    withVerdictOutputOptions(withLoadOptions(y))
      .option('scenario', { type: 'string', demandOption: true, describe: 'Built-in scenario name or path to a scenario file' })
      .option('target-command', { type: 'string', describe: 'Shell command that starts your service (given PORT and AMQP_URL)' })
      .option('publisher', { choices: PUBLISHERS, describe: 'Reference service publisher when no --target-command (default shared)' })
      .option('connection-max', { type: 'number', describe: "Broker's connection_max (local and container stacks; per node on a cluster)" })
      .option('broker-nodes', { type: 'number', describe: 'RabbitMQ nodes in one cluster, local or in containers (default 1, at most 5)' })
      .option('broker-image', { type: 'string', describe: 'Container stack: RabbitMQ image (default rabbitmq:3.13-management)' })
      .option('target-image', { type: 'string', describe: 'Container stack: image of your service (given PORT and AMQP_URL)' })
      .option('verify-exchange', { type: 'string', describe: 'Exchange the target publishes accepted calls to (reconciliation)' })
      .option('verify-routing-key', { type: 'string', default: '#', describe: 'Binding key for the reconciliation tap' })
      .option('health-path', { type: 'string', default: '/healthz', describe: 'Target readiness path' })
      .option('out', { type: 'string', describe: 'Report directory (default reports/<scenario>-<time>)' })
      .option('amqp-url', { type: 'string', describe: 'External stack: broker AMQP URL' })
      .option('management-url', { type: 'string', describe: 'External stack: management API URL (user:pass@ allowed)' })
      .option('prometheus-url', { type: 'string', describe: 'External stack: RabbitMQ Prometheus endpoint; one per node of a cluster (repeat, or comma-separated), else discovered from the management API' })
      .option('target-url', { type: 'string', describe: 'External stack: base URL of the service under test' })
      .option('allow-remote-target', { type: 'boolean', default: false, describe: 'Allow load against non-loopback hosts' }),
  handler: async (args: Record<string, unknown>): Promise<number> => {
    const scenario = String(args.scenario);
    const out = resolve(String(args.out ?? join('reports', `${scenario.replace(/[^a-z0-9-]+/gi, '_')}-${timestamp()}`)));
    const opts = runOptionsFrom(args, out);
    await sweepDeadRuns((line) => process.stderr.write(`rushgate: ${line}\n`));
    const work = (async () => {
      const record = await executeRun(opts);
      const files = await writeReports(record, out);
      await emitVerdict(record, files, args);
      // Every call refused (e.g. all 404): the scenario does not fit the service, a configuration mistake.
      if (record.validity?.configMistake) return EXIT.usage;
      return record.verdict.passed ? EXIT.passed : EXIT.failed;
    })();
    // A Ctrl-C during the load waits for this report before it cleans up and exits 130 (lifecycle/interrupt.ts).
    deferExitUntil(work);
    return work;
  },
};

export function runOptionsFrom(args: Record<string, unknown>, outDir: string): RunOptions {
  validateRunArgs(args);
  const units = Number(args.units);
  if (!Number.isInteger(units) || units < 1 || units > 64) throw new UsageError(`--units must be a whole number from 1 to 64 (got ${String(args.units)}).`);
  const peakRps = args['peak-rps'] === undefined ? undefined : Number(args['peak-rps']);
  if (peakRps !== undefined && !(peakRps > 0)) throw new UsageError(`--peak-rps must be more than zero (got ${String(args['peak-rps'])}).`);
  const stack = args.stack as RunOptions['stack'];
  const externalKeys = ['amqp-url', 'management-url', 'prometheus-url', 'target-url'] as const;
  const external = stack === 'external' ? Object.fromEntries(externalKeys.map((k) => [k, args[k]])) : undefined;
  if (external) {
    const missing = externalKeys.filter((k) => !external[k]);
    if (missing.length > 0) throw new UsageError(`--stack external needs ${missing.map((k) => `--${k}`).join(', ')}.`);
  }
  const quiet = Boolean(args.quiet);
  const log = quiet ? () => {} : (line: string) => process.stderr.write(`rushgate: ${line}\n`);
  return {
    scenario: String(args.scenario),
    durationSec: args.duration === undefined ? undefined : parseDuration(String(args.duration), '--duration'),
    peakRps,
    stack,
    targetCommand: args['target-command'] as string | undefined,
    publisher: args.publisher as Publisher | undefined,
    units,
    connectionMax: args['connection-max'] as number | undefined,
    brokerNodes: args['broker-nodes'] as number | undefined,
    containers: { brokerImage: args['broker-image'] as string | undefined, targetImage: args['target-image'] as string | undefined },
    verifyExchange: args['verify-exchange'] as string | undefined,
    verifyRoutingKey: args['verify-routing-key'] as string | undefined,
    healthPath: args['health-path'] as string | undefined,
    external: external
      ? {
          amqpUrl: String(external['amqp-url']),
          managementUrl: String(external['management-url']),
          ...prometheusUrlsOption(external['prometheus-url']),
          targetUrl: String(external['target-url']),
        }
      : undefined,
    allowRemoteTarget: Boolean(args['allow-remote-target']),
    limits: { args: (args.limit as string[]) ?? [], file: args['limits-file'] as string | undefined },
    abortOnFail: (args['abort-on-fail'] as boolean | undefined) ?? Boolean(args.ci),
    inFlightLimit: args['in-flight'] as number | undefined,
    timeoutMs: args.timeout === undefined ? undefined : parseDuration(String(args.timeout), '--timeout') * 1000,
    cooldownSec: args.cooldown === undefined ? undefined : parseDuration(String(args.cooldown), '--cooldown'),
    outDir,
    log,
    progress: (totalSec) => createProgress({ totalSec, stream: process.stderr, tty: Boolean(process.stderr.isTTY) && !args.ci, quiet }),
  };
}

/** The first Prometheus URL, and all of them when there are several. */
function prometheusUrlsOption(value: unknown): { prometheusUrl: string; prometheusUrls?: string[] } {
  const urls = prometheusUrlList(value);
  return { prometheusUrl: urls[0] ?? '', ...(urls.length > 1 ? { prometheusUrls: urls } : {}) };
}

function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}
