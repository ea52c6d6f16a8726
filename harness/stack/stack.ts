import type { TcpProxy } from '../chaos/proxy/tcp-proxy.ts';
import type { StartedRabbitCluster } from './rabbitmq-cluster.ts';
import type { StartedRabbitNode } from './rabbitmq-node.ts';
import type { Publisher } from './target-process.ts';

export type StackKind = 'local' | 'testcontainers' | 'external';

/** Pieces somebody else runs, for `--stack external`. */
export interface ExternalPieces {
  amqpUrl: string;
  managementUrl: string;
  prometheusUrl: string;
  /** Every node's Prometheus endpoint when there are several (`--prometheus-url` repeated or comma-separated); the first is `prometheusUrl`. */
  prometheusUrls?: string[];
  targetUrl: string;
  /**
   * rabbitmqctl against that broker, when the caller can offer it (e.g. a node it started with
   * startRabbitNode, whose `ctl` this is): lets alarm and squeeze faults run on an external stack.
   */
  brokerCtl?: (args: string[]) => Promise<string>;
  /**
   * The same node's control channel (StartedRabbitNode's `erl`), when the caller holds one: fault actions
   * then take a round trip instead of a rabbitmqctl VM boot each (seconds of CPU on a loaded machine).
   */
  brokerErl?: StartedStack['brokerErl'];
}

/** What a run asks of a stack provider. */
export interface StackRequest {
  connectionMax?: number;
  /** `local`: this many RabbitMQ nodes in one cluster (default 1); connectionMax applies to each. */
  brokerNodes?: number;
  target: {
    command?: string;
    publisher?: Publisher;
    units: number;
    verifyExchange?: string;
    healthPath?: string;
  };
  /** For `testcontainers`: images (each falls back to its RUSHGATE_*_IMAGE variable, then the default). */
  containers?: { brokerImage?: string; targetImage?: string };
  /** For `external`: where the already-running pieces are. */
  external?: ExternalPieces;
  /** `local`: run on this already-started node instead of starting one (its owner stops it). */
  broker?: StartedRabbitNode;
  /** `local`: run on this already-started cluster instead of starting one (its owner stops it). */
  brokerCluster?: StartedRabbitCluster;
  /** Put a TCP proxy between the target and the broker, for network faults. */
  amqpProxy?: boolean;
  /** Directory for broker/target logs of this run. */
  logDir?: string;
  log?: (line: string) => void;
}

/** One broker node as a stack exposes it (a single node is a one-entry list). */
export interface ClusterNode {
  /** Erlang node name, e.g. rushgate-ab12cd-1@localhost. */
  name: string;
  amqpUrl: string;
  managementUrl: string;
  prometheusUrl: string;
  /** Leader PID of its process group, when it runs as a local process we own. */
  pid?: number;
}

/** A started stack owns its cleanup: stop() undoes everything start() did, and is idempotent. */
export interface StartedStack {
  kind: StackKind;
  amqpUrl: string;
  managementUrl: string;
  prometheusUrl: string;
  targetUrl: string;
  managementAuth: { username: string; password: string };
  connectionMax?: number;
  targetDescription: string;
  /** Strings that must be scrubbed from anything shown or saved. */
  secrets: string[];
  /** rabbitmqctl against the broker, where the provider can offer it. */
  brokerCtl?: (args: string[]) => Promise<string>;
  /** An Erlang expression evaluated on a broker node through the run's control node (FaultContext.erl). */
  brokerErl?: (node: string | undefined, expr: string, notBeforeEpochMs?: number) => Promise<string>;
  /** Stops the broker, keeps it down for downMs, starts it again on the same ports, where the provider can. */
  restartBroker?: (downMs: number) => Promise<void>;
  /** Every broker node (one entry for a single node), where the provider knows them. */
  nodes?: ClusterNode[];
  /** Every node's AMQP URL, first = amqpUrl (the target gets them as AMQP_URLS). */
  amqpUrls?: string[];
  /** Faults on one node of a local cluster. */
  cluster?: ClusterControl;
  /** The proxy on the target -> broker path, when the request asked for one. */
  proxy?: TcpProxy;
  /** Root PID of the target's process tree, when it runs as a local process (for connection attribution). */
  targetPid?: number;
  /** Last lines of the target's output (redacted), for error messages. */
  targetTail(): string;
  stop(): Promise<void>;
}

/** Stop, start and kill one member of a cluster the stack owns (for node faults). */
export interface ClusterControl {
  nodes: ClusterNode[];
  stopNode(name: string): Promise<void>;
  startNode(name: string): Promise<void>;
  killNode(name: string): Promise<void>;
  /** The target's connections per node name (the harness's own left out), from the management API. */
  connectionsPerNode(): Promise<Map<string, number>>;
}

export class StackError extends Error {
  override name = 'StackError';
}
