import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brokerEval } from '../chaos/control/broker-eval.ts';
import { startControlChannel } from '../chaos/control/control-channel.ts';
import { startOwnedProcess, type OwnedProcess } from '../lifecycle/owned-process.ts';
import { ownDir } from '../lifecycle/run-ledger.ts';
import { freePorts } from './free-port.ts';
import { ReadinessTimeoutError, waitForAmqp, waitForHttp } from './readiness.ts';

// The Debian package's scripts; /usr/sbin/rabbitmq-server would switch to the rabbitmq user.
export const RABBITMQ_SBIN = process.env.RUSHGATE_RABBITMQ_SBIN ?? '/usr/lib/rabbitmq/bin';
const EPMD = process.env.RUSHGATE_EPMD ?? 'epmd';
const START_TIMEOUT_MS = 60_000;

export class BrokerStartError extends Error {
  override name = 'BrokerStartError';
}

export interface RabbitNodeOptions {
  /** Sets the node's `connection_max` (a soft limit: the broker stops answering new connections past it). */
  connectionMax?: number;
  log?: (line: string) => void;
}

export interface StartedRabbitNode {
  amqpUrl: string;
  managementUrl: string;
  prometheusUrl: string;
  credentials: { username: string; password: string };
  connectionMax?: number;
  nodeName: string;
  /** Stops the node (same data dir, same ports) and starts it again once `downMs` has passed. */
  restart(downMs?: number): Promise<void>;
  /** Runs rabbitmqctl against this node (for faults such as memory alarms). */
  ctl(args: string[]): Promise<string>;
  /**
   * Evaluates an Erlang expression on a node (undefined: this one) through the run's control node, kept
   * running beside the broker; falls back to `rabbitmqctl eval` if that node could not start.
   */
  erl(node: string | undefined, expr: string): Promise<string>;
  stop(): Promise<void>;
}

export function rabbitmqInstalled(): boolean {
  return existsSync(join(RABBITMQ_SBIN, 'rabbitmq-server'));
}

/**
 * Starts a private RabbitMQ node from the host's rabbitmq-server: loopback-only listeners on free ports,
 * its own epmd, temp dir, management + prometheus plugins. Everything it started goes on stop() or on any
 * exit of the harness.
 */
export async function startRabbitNode(opts: RabbitNodeOptions = {}): Promise<StartedRabbitNode> {
  if (!rabbitmqInstalled()) {
    throw new BrokerStartError(
      `rabbitmq-server is not installed (looked for ${RABBITMQ_SBIN}/rabbitmq-server). ` +
        `Run \`npm run bootstrap\` or \`sudo apt-get install rabbitmq-server\`.`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'rushgate-broker-'));
  const disownDir = ownDir(dir);
  const removeDir = {
    run: async () => {
      await rm(dir, { recursive: true, force: true });
      disownDir();
    },
    runSync: () => rmSync(dir, { recursive: true, force: true }),
  };
  const [amqpPort, mgmtPort, promPort, distPort, epmdPort] = (await freePorts(5)) as [number, number, number, number, number];
  const id = randomBytes(4).toString('hex');
  const nodeName = `rushgate-${id}@localhost`;
  const username = 'rushgate';
  const password = randomBytes(12).toString('base64url');

  writeFileSync(join(dir, 'rabbitmq.conf'), brokerConfig({ amqpPort, mgmtPort, promPort, username, password, connectionMax: opts.connectionMax }));
  writeFileSync(join(dir, 'enabled_plugins'), '[rabbitmq_management,rabbitmq_prometheus].\n');
  writeFileSync(join(dir, 'rabbitmq-env.conf'), '');

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dir,
    RABBITMQ_NODENAME: nodeName,
    RABBITMQ_DIST_PORT: String(distPort),
    ERL_EPMD_PORT: String(epmdPort),
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_FEATURE_FLAGS_FILE: join(dir, 'feature_flags'),
    RABBITMQ_PID_FILE: join(dir, 'rabbit.pid'),
    // Erlang distribution listens on all interfaces unless pinned (DESIGN.md).
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
  };

  // A private epmd we own, so no daemon outlives the run (erl would otherwise start a shared one).
  const epmd = startOwnedProcess({
    name: `epmd for ${nodeName}`,
    command: EPMD,
    args: ['-port', String(epmdPort), '-address', '127.0.0.1'],
    env,
    graceMs: 1_000,
    afterExit: removeDir,
  });
  const credentials = { username, password };
  const amqpUrl = `amqp://${username}:${encodeURIComponent(password)}@127.0.0.1:${amqpPort}`;
  const managementUrl = `http://127.0.0.1:${mgmtPort}`;
  const auth = { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
  const launch = async (): Promise<OwnedProcess> => {
    const proc = startOwnedProcess({
      name: `broker ${nodeName}`,
      command: join(RABBITMQ_SBIN, 'rabbitmq-server'),
      args: [],
      env,
      logFile: join(dir, 'console.log'),
      // A throwaway node: nothing on it is worth a slow orderly shutdown.
      graceMs: 2_000,
      onLine: opts.log,
    });
    try {
      await waitForHttp({
        what: `RabbitMQ node ${nodeName} (management API)`,
        url: `${managementUrl}/api/overview`,
        headers: auth,
        timeoutMs: START_TIMEOUT_MS,
        failFast: () => (proc.hasExited() ? `rabbitmq-server exited. Its last output:\n${proc.tail(15)}` : undefined),
      });
      await waitForHttp({ what: 'RabbitMQ Prometheus endpoint', url: `http://127.0.0.1:${promPort}/metrics`, timeoutMs: 10_000 });
      await waitForAmqp({
        what: `RabbitMQ node ${nodeName} (AMQP)`,
        url: amqpUrl,
        displayUrl: `amqp://127.0.0.1:${amqpPort}`,
        timeoutMs: 20_000,
        failFast: () => (proc.hasExited() ? `rabbitmq-server exited. Its last output:\n${proc.tail(15)}` : undefined),
      });
    } catch (err) {
      await proc.stop();
      if (err instanceof ReadinessTimeoutError) throw new BrokerStartError(err.message);
      throw err;
    }
    return proc;
  };
  let node: OwnedProcess;
  try {
    node = await launch();
  } catch (err) {
    await epmd.stop();
    throw err;
  }
  const ctl = async (args: string[]) => {
    const { stdout } = await promisify(execFile)(join(RABBITMQ_SBIN, 'rabbitmqctl'), ['-n', nodeName, ...args], { env, timeout: 30_000 });
    return stdout;
  };
  // Started once the broker wrote its cookie (HOME/.erlang.cookie); not awaited: it is up long before a fault.
  const control = startControlChannel({ epmdPort, cookieHome: dir, label: nodeName });
  const stop = async () => {
    await control.stop();
    await node.stop();
    await epmd.stop();
  };

  return {
    amqpUrl,
    managementUrl,
    prometheusUrl: `http://127.0.0.1:${promPort}`,
    credentials,
    connectionMax: opts.connectionMax,
    nodeName,
    restart: async (downMs = 0) => {
      await node.stop();
      await new Promise((r) => setTimeout(r, downMs));
      node = await launch();
    },
    ctl,
    erl: brokerEval(control, nodeName, ctl),
    stop,
  };
}

export function brokerConfig(c: { amqpPort: number; mgmtPort: number; promPort: number; username: string; password: string; connectionMax?: number }): string {
  const lines = [
    `listeners.tcp.1 = 127.0.0.1:${c.amqpPort}`,
    `management.tcp.ip = 127.0.0.1`,
    `management.tcp.port = ${c.mgmtPort}`,
    `prometheus.tcp.ip = 127.0.0.1`,
    `prometheus.tcp.port = ${c.promPort}`,
    `default_user = ${c.username}`,
    `default_pass = ${c.password}`,
    `loopback_users = none`,
    // Statistics every second instead of five, so the management API lags less behind the load.
    `collect_statistics_interval = 1000`,
    // A laptop or CI disk can be fuller than the default 50 MB guard allows for; keep the node writable.
    `disk_free_limit.absolute = 10MB`,
    `log.console = true`,
    `log.console.level = warning`,
    `log.file.level = info`,
  ];
  if (c.connectionMax !== undefined) lines.push(`connection_max = ${c.connectionMax}`);
  return lines.join('\n') + '\n';
}
