// The node faults' account of a reconnection, as one timeline note: written by harness/chaos/faults/node.ts
// and read back by the chaos.reconnect rule, so a saved results.json can be re-gated.

export interface ReconnectNote {
  /** e.g. "node kill". */
  action: string;
  node: string;
  /** The target's connections on all nodes just before the node went. */
  expected: number;
  /** Seconds until the surviving nodes held that many again; undefined when they never did in the watch. */
  landedAfterSec?: number;
  /** The most the surviving nodes held during the watch. */
  peak: number;
  /** How long the watch lasted, seconds. */
  watchedSec: number;
}

const PREFIX = 'reconnect after ';

export function formatReconnectNote(n: ReconnectNote): string {
  return n.landedAfterSec !== undefined
    ? `${PREFIX}${n.action} of ${n.node}: the surviving nodes held the target's ${n.expected} connection(s) again after ${n.landedAfterSec.toFixed(2)} s (at most ${n.peak} meanwhile)`
    : `${PREFIX}${n.action} of ${n.node}: the surviving nodes held ${n.peak} of the target's ${n.expected} connection(s) within ${n.watchedSec.toFixed(1)} s`;
}

export function parseReconnectNote(message: string): ReconnectNote | undefined {
  if (!message.startsWith(PREFIX)) return undefined;
  const landed = /^reconnect after (.+?) of (\S+): the surviving nodes held the target's (\d+) connection\(s\) again after ([\d.]+) s \(at most (\d+) meanwhile\)$/.exec(message);
  if (landed) {
    const [, action, node, expected, after, peak] = landed as unknown as [string, string, string, string, string, string];
    return { action, node, expected: Number(expected), landedAfterSec: Number(after), peak: Number(peak), watchedSec: Number(after) };
  }
  const never = /^reconnect after (.+?) of (\S+): the surviving nodes held (\d+) of the target's (\d+) connection\(s\) within ([\d.]+) s$/.exec(message);
  if (!never) return undefined;
  const [, action, node, peak, expected, watched] = never as unknown as [string, string, string, string, string, string];
  return { action, node, expected: Number(expected), peak: Number(peak), watchedSec: Number(watched) };
}
