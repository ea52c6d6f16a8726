import { randomBytes } from 'node:crypto';
import { GenericContainer } from 'testcontainers';
import { startOwnedContainer } from './owned-container.ts';
import { freePorts } from './free-port.ts';
import { brokerConfig, BrokerStartError, type ClusterMembership } from './rabbitmq-node.ts';
import { ReadinessTimeoutError, waitForAmqp, waitForHttp } from './readiness.ts';
import type { ClusterNode } from './stack.ts';

const START_TIMEOUT_MS = 120_000;
// Where rushgate's own configuration goes inside the container; the image's defaults are ignored
// (RABBITMQ_CONFIG_FILES points at an empty directory instead of the image's conf.d).
const CONF_DIR = '/etc/rushgate';

export interface RabbitContainerOptions {
  image: string;
  connectionMax?: number;
  logFile?: string;
  log?: (line: string) => void;
  /** Starts the node as a member of a container cluster (rabbitmq-container-cluster.ts) instead of on its own. */
  member?: ClusterMembership;
}

export interface StartedRabbitContainer {
  image: string;
  containerName: string;
  amqpUrl: string;
  managementUrl: string;
  prometheusUrl: string;
  credentials: { username: string; password: string };
  connectionMax?: number;
  nodeName: string;
  /** The Erlang cookie: a secret like the password. */
  cookie: string;
  ctl(args: string[]): Promise<string>;
  restart(downMs?: number): Promise<void>;
  /** Stops the container, keeping it and its data: `orderly` lets RabbitMQ shut down cleanly, `kill` is SIGKILL. */
  halt(mode: 'orderly' | 'kill'): Promise<void>;
  /** Starts a halted container again and waits until it serves (a cluster member rejoins its cluster). */
  resume(): Promise<void>;
  /** False between halt() and resume(). */
  running(): boolean;
  tail(lines?: number): string;
  stop(): Promise<void>;
}

/** A broker container as a stack exposes its nodes (no PID: the process is the engine's). */
export function containerAsClusterNode(m: StartedRabbitContainer): ClusterNode {
  return { name: m.nodeName, amqpUrl: m.amqpUrl, managementUrl: m.managementUrl, prometheusUrl: m.prometheusUrl };
}

/**
 * RabbitMQ in a container on the host's network, configured exactly like the local node (loopback-only
 * listeners on free ports, generated credentials, management + prometheus plugins), so the official
 * image and the locally built one behave the same. Its node name, Erlang distribution and epmd ports are
 * unique per run, so it never collides with other nodes on the machine.
 */
export async function startRabbitContainer(opts: RabbitContainerOptions): Promise<StartedRabbitContainer> {
  const [amqpPort, mgmtPort, promPort, distPort, ownEpmdPort] = (await freePorts(5)) as [number, number, number, number, number];
  const id = randomBytes(4).toString('hex');
  const member = opts.member;
  // A member's name, cookie, credentials and epmd are the cluster's; a node on its own makes its own.
  const nodeName = member?.nodeName ?? `rushgate-${id}@localhost`;
  const username = member?.username ?? 'rushgate';
  const password = member?.password ?? randomBytes(12).toString('base64url');
  const cookie = member?.cookie ?? randomBytes(16).toString('hex');
  const epmdPort = member?.epmdPort ?? ownEpmdPort;

  const builder = new GenericContainer(opts.image)
    .withNetworkMode('host')
    .withCopyContentToContainer([
      { content: brokerConfig({ amqpPort, mgmtPort, promPort, username, password, connectionMax: opts.connectionMax, cluster: member }), target: `${CONF_DIR}/rabbitmq.conf`, mode: 0o644 },
      { content: '[rabbitmq_management,rabbitmq_prometheus].\n', target: `${CONF_DIR}/enabled_plugins`, mode: 0o644 },
      { content: '', target: `${CONF_DIR}/conf.d/.keep`, mode: 0o644 },
    ])
    .withEnvironment({
      RABBITMQ_NODENAME: nodeName,
      RABBITMQ_DIST_PORT: String(distPort),
      ERL_EPMD_PORT: String(epmdPort),
      ERL_EPMD_ADDRESS: '127.0.0.1',
      RABBITMQ_CONFIG_FILE: `${CONF_DIR}/rabbitmq.conf`,
      RABBITMQ_CONFIG_FILES: `${CONF_DIR}/conf.d`,
      RABBITMQ_ENABLED_PLUGINS_FILE: `${CONF_DIR}/enabled_plugins`,
      RABBITMQ_LOGS: '-',
      // Distribution pinned to loopback (it listens on all interfaces otherwise, and this is the host's
      // network); the cookie is given, so rabbitmqctl works whichever user the image runs as.
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: `-kernel inet_dist_use_interface {127,0,0,1} -setcookie ${cookie}`,
    });

  const containerName = `rushgate-broker-${id}`;
  const owned = await startOwnedContainer({
    what: `broker ${nodeName}`,
    name: containerName,
    builder,
    logFile: opts.logFile,
    secrets: [password, cookie],
    onLine: opts.log,
  });
  const managementUrl = `http://127.0.0.1:${mgmtPort}`;
  const amqpUrl = `amqp://${username}:${encodeURIComponent(password)}@127.0.0.1:${amqpPort}`;
  const prometheusUrl = `http://127.0.0.1:${promPort}`;
  const auth = { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
  const waitReady = async () => {
    // One budget for the three: on a machine booting several brokers at once, the Prometheus and AMQP
    // listeners can trail the management API by more than a fixed few seconds.
    const deadline = Date.now() + START_TIMEOUT_MS;
    const left = () => Math.max(5_000, deadline - Date.now());
    try {
      await waitForHttp({
        what: `RabbitMQ container ${containerName} (${opts.image}, management API)`,
        url: `${managementUrl}/api/overview`,
        headers: auth,
        timeoutMs: left(),
        failFast: () => (owned.hasExited() ? `the container exited. Its last output:\n${owned.tail(15)}` : undefined),
      });
      await waitForHttp({ what: 'RabbitMQ Prometheus endpoint', url: `${prometheusUrl}/metrics`, timeoutMs: left() });
      // The management API answers before the AMQP listener takes connections: ready means a real handshake.
      await waitForAmqp({
        what: `RabbitMQ container ${containerName} (AMQP)`,
        url: amqpUrl,
        displayUrl: `amqp://127.0.0.1:${amqpPort}`,
        timeoutMs: left(),
        failFast: () => (owned.hasExited() ? `the container exited. Its last output:\n${owned.tail(15)}` : undefined),
      });
    } catch (err) {
      if (err instanceof ReadinessTimeoutError) {
        throw new BrokerStartError(`${err.message}\nThe image must run RabbitMQ 3.9+ with the management and prometheus plugins available.`);
      }
      throw err;
    }
  };
  try {
    await waitReady();
  } catch (err) {
    await owned.stop();
    throw err;
  }
  let running = true;

  return {
    image: opts.image,
    containerName,
    amqpUrl,
    managementUrl,
    prometheusUrl,
    credentials: { username, password },
    connectionMax: opts.connectionMax,
    nodeName,
    cookie,
    ctl: (args) => owned.exec(['rabbitmqctl', '-n', nodeName, '--erlang-cookie', cookie, ...args]),
    restart: async (downMs = 0) => {
      running = false;
      await owned.restart(downMs);
      running = true;
      await waitReady();
    },
    // An orderly stop of a cluster member hands its queue leaders over: give it more than a throwaway's 2 s.
    halt: async (mode) => {
      if (!running) return;
      running = false;
      await owned.halt(mode, member ? 15_000 : 2_000);
    },
    resume: async () => {
      if (running && !owned.hasExited()) return;
      await owned.resume();
      running = true;
      await waitReady();
    },
    running: () => running && !owned.hasExited(),
    tail: (lines) => owned.tail(lines),
    stop: () => owned.stop(),
  };
}
