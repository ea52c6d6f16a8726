import type { TcpProxy } from './proxy/tcp-proxy.ts';
import type { ManagementClient } from '../probe/management-api.ts';
import type { ClusterControl } from '../stack/stack.ts';

/** What a fault may touch: the broker (rabbitmqctl, restart), the management API, the proxy on the AMQP path. */
export interface FaultContext {
  ctl?: (args: string[]) => Promise<string>;
  /**
   * Evaluates an Erlang expression on a broker node (undefined: the first or only node) and resolves with
   * its value as `rabbitmqctl eval` prints it: through the run's control node, or rabbitmqctl where none runs.
   * With `notBeforeEpochMs` the call is held until then (the timeline sends scheduled actions ahead).
   */
  erl?: (node: string | undefined, expr: string, notBeforeEpochMs?: number) => Promise<string>;
  restartBroker?: (downMs: number) => Promise<void>;
  management?: ManagementClient;
  /** The broker's AMQP listener itself (not the proxy), for faults that act on its acceptors. */
  amqpAddress?: { host: string; port: number };
  proxy?: TcpProxy;
  /** One member of a local cluster at a time: stop, start, kill (node faults). */
  cluster?: ClusterControl;
  /** Writes a note on the run's timeline (e.g. where connections landed after a node went). */
  note?: (message: string) => void;
  log: (line: string) => void;
}

/** Undoes a fault. Safe to call more than once, and on any exit path. */
export type Revert = () => Promise<void>;

/** One fault, as small as a Toxiproxy toxic: the timeline decides when, the fault only knows how. */
export interface Fault {
  kind: string;
  /** One line for logs, reports and the timeline, e.g. "memory alarm (watermark 0)". */
  description: string;
  /** What the context must offer, checked before the run starts so a missing piece is a usage error. */
  needs: Array<keyof Omit<FaultContext, 'log' | 'note'>>;
  inject(ctx: FaultContext): Promise<Revert>;
}

export class FaultError extends Error {
  override name = 'FaultError';
}

/**
 * An injection that failed after it may have acted: a call that timed out on a starved broker can still
 * land after the harness gave up on it (until the control channel's deadline). It carries the revert, and the
 * timeline runs it anyway: a revert finds what to put back on the broker itself (stashedSetting), so one for
 * a change that never happened changes nothing, and a watermark of 0 is not left behind.
 */
export class InjectionUncertain extends FaultError {
  override name = 'InjectionUncertain';
  constructor(
    message: string,
    readonly revert: Revert,
  ) {
    super(message);
  }
}

/** Wraps a revert so it runs once it has succeeded, however often it is called; a failed one may be tried again. */
export function once(revert: Revert): Revert {
  let done: Promise<void> | undefined;
  return () =>
    (done ??= revert().catch((err: unknown) => {
      done = undefined;
      throw err;
    }));
}

export function need<K extends keyof FaultContext>(ctx: FaultContext, key: K, fault: string): NonNullable<FaultContext[K]> {
  const value = ctx[key];
  if (value === undefined) throw new FaultError(`the ${fault} fault needs ${key}, which this stack does not offer`);
  return value as NonNullable<FaultContext[K]>;
}
