import type { ConfirmChannel } from 'amqplib';
import { messageProperties, type OutgoingMessage } from './publisher.ts';

/** 'window-timeout': it waited for a free slot for the whole timeout and was never sent. */
export type ConfirmOutcome = 'ack' | 'nack' | 'timeout' | 'window-timeout' | 'closed' | 'not-sent';

interface Pending {
  message: OutgoingMessage;
  resolve(outcome: ConfirmOutcome): void;
  /** performance.now() when queued, then when handed to the channel. */
  sinceMs: number;
  settled: boolean;
}

export interface ConfirmWindowOptions {
  exchange: string;
  /** Most messages published and not yet confirmed; further ones wait their turn (in order). */
  window: number;
  /** A message unconfirmed (or waiting for a slot) this long resolves 'timeout'. */
  timeoutMs: number;
}

/**
 * Publishes on one confirm channel with many confirms outstanding: every caller gets its own
 * per-message confirm, but nobody waits for anyone else's round trip. At most `window` messages are
 * unconfirmed at once and the channel's write buffer is respected; the rest wait in order. One sweep
 * times messages out, instead of a timer per message.
 */
export class ConfirmWindow {
  /** Messages waiting for a slot, oldest first from `head`. */
  private waiting: Pending[] = [];
  private head = 0;
  private readonly inFlight = new Set<Pending>();
  private blockedOnDrain = false;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly channel: ConfirmChannel,
    private readonly opts: ConfirmWindowOptions,
  ) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(250, Math.max(20, opts.timeoutMs / 10)));
    this.sweeper.unref();
    channel.on('drain', () => {
      this.blockedOnDrain = false;
      this.pump();
    });
    channel.once('close', () => this.closeAll('closed'));
  }

  get outstanding(): number {
    return this.inFlight.size;
  }

  publish(message: OutgoingMessage): Promise<ConfirmOutcome> {
    return new Promise((resolve) => {
      this.waiting.push({ message, resolve, sinceMs: performance.now(), settled: false });
      this.pump();
    });
  }

  /** Resolves everything still pending (the channel is gone). */
  closeAll(outcome: 'closed' | 'not-sent'): void {
    clearInterval(this.sweeper);
    for (const p of this.inFlight) this.settle(p, outcome);
    for (let i = this.head; i < this.waiting.length; i++) this.settle(this.waiting[i] as Pending, 'not-sent');
    this.waiting = [];
    this.head = 0;
  }

  private next(): Pending | undefined {
    const p = this.waiting[this.head];
    if (!p) return undefined;
    this.head++;
    if (this.head === this.waiting.length) {
      this.waiting = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
    return p;
  }

  private pump(): void {
    while (this.head < this.waiting.length && !this.blockedOnDrain && this.inFlight.size < this.opts.window) {
      const p = this.next() as Pending;
      if (p.settled) continue;
      p.sinceMs = performance.now();
      this.inFlight.add(p);
      try {
        const ok = this.channel.publish(this.opts.exchange, p.message.routingKey, p.message.body, messageProperties(p.message), (err) => {
          this.inFlight.delete(p);
          this.settle(p, !err ? 'ack' : /nack/i.test(String((err as Error).message ?? err)) ? 'nack' : 'closed');
          this.pump();
        });
        if (!ok) this.blockedOnDrain = true;
      } catch {
        // amqplib throws synchronously when the channel is already closed.
        this.inFlight.delete(p);
        this.settle(p, 'not-sent');
      }
    }
  }

  private sweep(): void {
    const now = performance.now();
    // Timed-out messages keep their slot until the broker answers: they are still unconfirmed there.
    for (const p of this.inFlight) if (now - p.sinceMs >= this.opts.timeoutMs) this.settle(p, 'timeout');
    for (let i = this.head; i < this.waiting.length; i++) {
      const p = this.waiting[i] as Pending;
      if (now - p.sinceMs < this.opts.timeoutMs) break;
      this.settle(p, 'window-timeout');
    }
  }

  private settle(p: Pending, outcome: ConfirmOutcome): void {
    if (p.settled) return;
    p.settled = true;
    p.resolve(outcome);
  }
}
