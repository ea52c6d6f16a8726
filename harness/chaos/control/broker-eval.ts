import type { ControlChannel } from './control-channel.ts';

/**
 * Evaluates an Erlang expression on a broker node (undefined: the default one), no earlier than
 * `notBeforeEpochMs` when given (a scheduled action sent ahead of its time).
 */
export type BrokerEval = (node: string | undefined, expr: string, notBeforeEpochMs?: number) => Promise<string>;

/** `rabbitmqctl eval` as a BrokerEval: the old path, one Erlang VM boot per call; a held call waits here. */
export function evalThroughCtl(ctl: (args: string[]) => Promise<string>): BrokerEval {
  return async (node, expr, notBeforeEpochMs = 0) => {
    const wait = notBeforeEpochMs - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // rabbitmqctl takes the last -n it is given, so a node other than the default one can be named.
    return (await ctl([...(node ? ['-n', node] : []), 'eval', expr])).trim();
  };
}

/**
 * Evaluates on a broker node through the control channel, or through rabbitmqctl while the channel is not
 * running (it failed to start, or died): a fault is slower then, never lost.
 */
export function brokerEval(channel: ControlChannel, defaultNode: string, ctl: (args: string[]) => Promise<string>): BrokerEval {
  const fallback = evalThroughCtl(ctl);
  let failed = false;
  channel.ready.catch(() => (failed = true));
  return async (node, expr, notBeforeEpochMs) => {
    if (failed || !channel.alive()) return fallback(node, expr, notBeforeEpochMs);
    return (await channel.eval(node ?? defaultNode, expr, { atEpochMs: notBeforeEpochMs })).trim();
  };
}

/** Which path fault actions take: RUSHGATE_FAULT_CONTROL=rabbitmqctl forces the old one (the benchmark's baseline). */
export function faultControlMode(): 'channel' | 'rabbitmqctl' {
  return process.env.RUSHGATE_FAULT_CONTROL === 'rabbitmqctl' ? 'rabbitmqctl' : 'channel';
}
