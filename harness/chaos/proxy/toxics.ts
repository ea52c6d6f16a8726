import type { Socket } from 'node:net';

/** upstream: service -> broker; downstream: broker -> service. */
export type Direction = 'upstream' | 'downstream';
export type Stream = Direction | 'both';

/**
 * One network fault, as small as Toxiproxy's: each hook is optional and the proxy asks every active toxic.
 * Timing lives in the proxy, not in the toxics.
 */
export interface Toxic {
  name: string;
  /** Extra delay for a chunk of `bytes`. */
  delayMs?(bytes: number, direction: Direction): number;
  /**
   * True while data in this direction must wait (a blackhole). The bytes are kept, in order, and pass once
   * the toxic is removed: a partitioned network makes TCP retransmit, it never loses bytes out of a live
   * stream. (Dropping them would let a protocol see an impossible stream: AMQP publisher confirms would
   * then acknowledge messages the broker never received.)
   */
  holds?(direction: Direction): boolean;
  /** How long to hold a half-close before passing it on. */
  closeDelayMs?(direction: Direction): number;
  /** Called for every connection open when the toxic is added, and every new one while it is active. */
  onConnection?(client: Socket, upstream: Socket): void;
}

const applies = (stream: Stream, direction: Direction) => stream === 'both' || stream === direction;

/** Fixed latency plus uniform jitter, per chunk. */
export function latency(opts: { latencyMs: number; jitterMs?: number; stream?: Stream; random?: () => number }): Toxic {
  const random = opts.random ?? Math.random;
  const stream = opts.stream ?? 'both';
  return {
    name: `latency ${opts.latencyMs}±${opts.jitterMs ?? 0} ms`,
    delayMs: (_bytes, direction) =>
      applies(stream, direction) ? Math.max(0, opts.latencyMs + (opts.jitterMs ?? 0) * (2 * random() - 1)) : 0,
  };
}

/** Caps throughput: a chunk takes bytes / rate to pass. */
export function bandwidth(opts: { kbPerSec: number; stream?: Stream }): Toxic {
  const stream = opts.stream ?? 'both';
  return {
    name: `bandwidth ${opts.kbPerSec} KB/s`,
    delayMs: (bytes, direction) => (applies(stream, direction) ? (bytes / (opts.kbPerSec * 1024)) * 1000 : 0),
  };
}

/**
 * Toxiproxy's `timeout`: no data gets through; with `closeAfterMs` the connections are closed after that
 * long, otherwise they hang (a blackhole) until the toxic is removed, and what was held back then passes.
 */
export function timeout(opts: { closeAfterMs?: number; stream?: Stream } = {}): Toxic {
  const stream = opts.stream ?? 'both';
  return {
    name: opts.closeAfterMs ? `timeout ${opts.closeAfterMs} ms` : 'blackhole',
    holds: (direction) => applies(stream, direction),
    onConnection: (client, upstream) => {
      if (!opts.closeAfterMs) return;
      const timer = setTimeout(() => {
        client.destroy();
        upstream.destroy();
      }, opts.closeAfterMs);
      client.once('close', () => clearTimeout(timer));
    },
  };
}

/** Resets (TCP RST) every connection after `afterMs`, and every new one while active. */
export function resetPeer(opts: { afterMs?: number } = {}): Toxic {
  return {
    name: `reset_peer after ${opts.afterMs ?? 0} ms`,
    onConnection: (client, upstream) => {
      const timer = setTimeout(() => {
        client.resetAndDestroy();
        upstream.destroy();
      }, opts.afterMs ?? 0);
      client.once('close', () => clearTimeout(timer));
    },
  };
}

/** Delays passing on a close (FIN) by `delayMs`. */
export function slowClose(opts: { delayMs: number; stream?: Stream }): Toxic {
  const stream = opts.stream ?? 'both';
  return {
    name: `slow_close ${opts.delayMs} ms`,
    closeDelayMs: (direction) => (applies(stream, direction) ? opts.delayMs : 0),
  };
}
