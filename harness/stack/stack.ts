import type { TcpProxy } from '../chaos/proxy/tcp-proxy.ts';
import type { StartedRabbitNode } from './rabbitmq-node.ts';
import type { Publisher } from './target-process.ts';

export type StackKind = 'local' | 'testcontainers' | 'external';

/** Pieces somebody else runs, for `--stack external`. */
export interface ExternalPieces {
  amqpUrl: string;
  managementUrl: string;
  prometheusUrl: string;
  targetUrl: string;
  /**
   * rabbitmqctl against that broker, when the caller can offer it (e.g. a node it started with
   * startRabbitNode, whose `ctl` this is): lets alarm and squeeze faults run on an external stack.
   */
  brokerCtl?: (args: string[]) => Promise<string>;
}

/** What a run asks of a stack provider. */
export interface StackRequest {
  connectionMax?: number;
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
  /** Put a TCP proxy between the target and the broker, for network faults. */
  amqpProxy?: boolean;
  /** Directory for broker/target logs of this run. */
  logDir?: string;
  log?: (line: string) => void;
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
  brokerErl?: (node: string | undefined, expr: string) => Promise<string>;
  /** Stops the broker, keeps it down for downMs, starts it again on the same ports, where the provider can. */
  restartBroker?: (downMs: number) => Promise<void>;
  /** The proxy on the target -> broker path, when the request asked for one. */
  proxy?: TcpProxy;
  /** Root PID of the target's process tree, when it runs as a local process (for connection attribution). */
  targetPid?: number;
  /** Last lines of the target's output (redacted), for error messages. */
  targetTail(): string;
  stop(): Promise<void>;
}

export class StackError extends Error {
  override name = 'StackError';
}
