import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brokerEval, evalThroughCtl } from '../chaos/control/broker-eval.ts';
import { startControlChannel } from '../chaos/control/control-channel.ts';
import { registerCleanup } from '../lifecycle/cleanup.ts';
import { startOwnedProcess, type OwnedProcess } from '../lifecycle/owned-process.ts';
import { ownDir } from '../lifecycle/run-ledger.ts';
import { freePorts } from './free-port.ts';
import { ReadinessTimeoutError, waitForAmqp, waitForHttp } from './readiness.ts';

// The Debian package's scripts; /usr/sbin/rabbitmq-server would switch to the rabbitmq user.
export const RABBITMQ_SBIN = process.env.RUSHGATE_RABBITMQ_SBIN ?? '/usr/lib/rabbitmq/bin';
export const EPMD = process.env.RUSHGATE_EPMD ?? 'epmd';
const START_TIMEOUT_MS = 60_000;
const ORDERLY_STOP_MS = 15_000;
/** Starts on fresh ports after a port was taken between picking it and the broker listening on it. */
const PORT_TAKEN_ATTEMPTS = 3;

export class BrokerStartError extends Error {
  override name = 'BrokerStartError';
}

export interface RabbitNodeOptions {
  /** Sets the node's `connection_max` (a soft limit: the broker stops answering new connections past it). */
  connectionMax?: number;
  log?: (line: string) => void;
  /** Starts the node as a member of a cluster (see rabbitmq-cluster.ts) instead of on its own. */
  member?: ClusterMembership;
}

/** What a node needs to join a cluster: the cluster's cookie, epmd and credentials, and whom to join. */
export interface ClusterMembership {
  /** Erlang node name chosen up front, so the other members can list it before it exists. */
  nodeName: string;
  cookie: string;
  /** The cluster's shared epmd (owned by the cluster): nodes find each other's distribution ports there. */
  epmdPort: number;
  username: string;
  password: string;
  /** Nodes to join on first boot (classic config peer discovery); empty for the first member. */
  seeds: string[];
  /** `pause_minority` for 3+ nodes: a member cut off from the majority stops serving rather than diverging. */
  partitionHandling?: 'pause_minority';
}

export interface StartedRabbitNode {
  amqpUrl: string;
  managementUrl: string;
  prometheusUrl: string;
  credentials: { username: string; password: string };
  connectionMax?: number;
  nodeName: string;
  /** PID of the node's process group leader while it runs (its beam.smp is in that group). */
  pid(): number | undefined;
  running(): boolean;
  /**
   * Takes the node down, keeping its data dir and ports: `orderly` is SIGTERM (rabbitmq-server's clean
   * shutdown), `kill` is SIGKILL to its whole process group, as a crash would.
   */
  halt(how: 'orderly' | 'kill'): Promise<void>;
  /** Starts a halted node again on the same ports and data dir (a cluster member rejoins its cluster). */
  resume(): Promise<void>;
  /** Stops the node (same data dir, same ports) and starts it again once `downMs` has passed. */
  restart(downMs?: number): Promise<void>;
  /** Runs rabbitmqctl against this node (for faults such as memory alarms). */
  ctl(args: string[]): Promise<string>;
  /**
   * Evaluates an Erlang expression on a node (undefined: this one) through the run's control node, kept
   * running beside the broker; falls back to `rabbitmqctl eval` if that node could not start.
   */
  erl(node: string | undefined, expr: string, notBeforeEpochMs?: number): Promise<string>;
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
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRabbitNodeOnce(opts);
    } catch (err) {
      // The ports are picked free and bound by the broker seconds later, when it boots: another process (a
      // node starting beside it) may take one meanwhile. The failed attempt released everything it started.
      if (attempt >= PORT_TAKEN_ATTEMPTS || !portTakenAtStart(err)) throw err;
      opts.log?.('rabbitmq-server: a port picked for it was taken before it could listen on it; starting it again on other ports');
    }
  }
}

/**
 * Whether a node failed to start because a port picked for it was taken meanwhile: a listener's
 * eaddrinuse, or the Erlang distribution port (`dist_port_already_used`, seen in CI when another test's
 * process took it).
 */
export function portTakenAtStart(err: unknown): boolean {
  return err instanceof Error && /eaddrinuse|dist_port_already_used/i.test(err.message);
}

async function startRabbitNodeOnce(opts: RabbitNodeOptions): Promise<StartedRabbitNode> {
  if (!rabbitmqInstalled()) {
    throw new BrokerStartError(
      `rabbitmq-server is not installed (looked for ${RABBITMQ_SBIN}/rabbitmq-server). ` +
        `Run \`npm run bootstrap\` or \`sudo apt-get install rabbitmq-server\`.`,
    );
  }
  const member = opts.member;
  const dir = mkdtempSync(join(tmpdir(), 'rushgate-broker-'));
  const disownDir = ownDir(dir);
  const removeDir = {
    run: async () => {
      await rm(dir, { recursive: true, force: true });
      disownDir();
    },
    runSync: () => rmSync(dir, { recursive: true, force: true }),
  };
  const [amqpPort, mgmtPort, promPort, distPort, ownEpmdPort] = (await freePorts(5)) as [number, number, number, number, number];
  const epmdPort = member?.epmdPort ?? ownEpmdPort;
  const nodeName = member?.nodeName ?? `rushgate-${randomBytes(4).toString('hex')}@localhost`;
  const username = member?.username ?? 'rushgate';
  const password = member?.password ?? randomBytes(12).toString('base64url');

  writeFileSync(
    join(dir, 'rabbitmq.conf'),
    brokerConfig({ amqpPort, mgmtPort, promPort, username, password, connectionMax: opts.connectionMax, cluster: member }),
  );
  writeFileSync(join(dir, 'enabled_plugins'), '[rabbitmq_management,rabbitmq_prometheus].\n');
  writeFileSync(join(dir, 'rabbitmq-env.conf'), '');
  if (member) {
    // HOME is the node's dir, so this is the cookie of the node and of the rabbitmqctl run against it.
    writeFileSync(join(dir, '.erlang.cookie'), member.cookie);
    chmodSync(join(dir, '.erlang.cookie'), 0o400);
  }

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

  // A private epmd we own, so no daemon outlives the run (erl would otherwise start a shared one). A cluster
  // member uses the cluster's epmd instead; its dir is then removed by a cleanup of its own, registered
  // before the node so that it runs after the node is gone.
  const epmd = member
    ? undefined
    : startOwnedProcess({
        name: `epmd for ${nodeName}`,
        command: EPMD,
        args: ['-port', String(epmdPort), '-address', '127.0.0.1'],
        env,
        graceMs: 1_000,
        afterExit: removeDir,
      });
  const releaseDir = member ? registerCleanup({ name: `data dir of ${nodeName}`, ...removeDir }) : undefined;
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
      // A Debian Erlang writes erl_crash.dump into its working directory (DESIGN.md).
      cwd: dir,
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
  const releaseAll = async () => {
    await epmd?.stop();
    await releaseDir?.();
  };
  let node: OwnedProcess | undefined;
  try {
    node = await launch();
  } catch (err) {
    await releaseAll();
    throw err;
  }
  const ctl = async (args: string[]) => {
    const { stdout } = await promisify(execFile)(join(RABBITMQ_SBIN, 'rabbitmqctl'), ['-n', nodeName, ...args], { env, timeout: 30_000 });
    return stdout;
  };
  // Started once the broker wrote its cookie (HOME/.erlang.cookie); not awaited: it is up long before a fault.
  // A cluster's first member runs the one control node of the cluster (it reaches every member by name).
  const control = !member || member.seeds.length === 0 ? startControlChannel({ epmdPort, cookieHome: dir, label: nodeName }) : undefined;
  const halt = async (how: 'orderly' | 'kill') => {
    const proc = node;
    node = undefined;
    if (!proc) return;
    if (how === 'kill') {
      try {
        process.kill(-proc.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    } else if (!proc.hasExited()) {
      // An orderly stop of a cluster member hands its queue leaders over: give it more than a throwaway's 2 s.
      process.kill(-proc.pid, 'SIGTERM');
      await Promise.race([proc.exited, new Promise((r) => setTimeout(r, ORDERLY_STOP_MS))]);
    }
    // Releases the group (SIGKILL to any straggler), its ledger entry and its log file.
    await proc.stop();
  };
  const resume = async () => {
    if (node) return;
    node = await launch();
  };
  const stop = async () => {
    await control?.stop();
    await node?.stop();
    node = undefined;
    await releaseAll();
  };

  return {
    amqpUrl,
    managementUrl,
    prometheusUrl: `http://127.0.0.1:${promPort}`,
    credentials,
    connectionMax: opts.connectionMax,
    nodeName,
    pid: () => node?.pid,
    running: () => node !== undefined && !node.hasExited(),
    halt,
    resume,
    restart: async (downMs = 0) => {
      await node?.stop();
      node = undefined;
      await new Promise((r) => setTimeout(r, downMs));
      node = await launch();
    },
    ctl,
    erl: control ? brokerEval(control, nodeName, ctl) : evalThroughCtl(ctl),
    stop,
  };
}

export function brokerConfig(c: {
  amqpPort: number;
  mgmtPort: number;
  promPort: number;
  username: string;
  password: string;
  connectionMax?: number;
  cluster?: Pick<ClusterMembership, 'seeds' | 'partitionHandling'>;
}): string {
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
  if (c.cluster) lines.push(...clusterConfig(c.cluster));
  return lines.join('\n') + '\n';
}

function clusterConfig(c: Pick<ClusterMembership, 'seeds' | 'partitionHandling'>): string[] {
  const lines = [`cluster_partition_handling = ${c.partitionHandling ?? 'ignore'}`];
  if (c.seeds.length === 0) return lines;
  // Peer discovery runs on a blank node only: it joins the first seed that answers, retrying while the
  // seeds boot alongside it (all members start at once). A restarted member already knows its cluster.
  lines.push('cluster_formation.peer_discovery_backend = classic_config');
  c.seeds.forEach((seed, i) => lines.push(`cluster_formation.classic_config.nodes.${i + 1} = ${seed}`));
  lines.push('cluster_formation.discovery_retry_limit = 240', 'cluster_formation.discovery_retry_interval = 500');
  return lines;
}
