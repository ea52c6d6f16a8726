import type { ChannelModel } from 'amqplib';
import { backoffDelay, type BackoffOptions } from '../backoff.ts';
import type { Logger } from '../log.ts';
import { closeQuietly, connectAmqp } from './connect.ts';
import { createNodeChoice, type NodeChoice } from './node-choice.ts';

export interface ReconnectingConnectionOptions {
  /** Every broker node's URL (one for a single node); it starts on a random one and fails over in turn. */
  urls: readonly string[];
  name: string;
  connectTimeoutMs: number;
  log: Logger;
  /** Opens channels and declares topology on a fresh connection; throwing fails this attempt. */
  setup(conn: ChannelModel): Promise<void>;
  /** Called when a connection opened or closed (counts it toward "opened by this unit"). */
  onOpened?(): void;
  onClosed?(): void;
  onBlocked?(blocked: boolean): void;
  backoff?: BackoffOptions;
}

/**
 * One long-lived connection, re-established with backoff and jitter when it drops. At most one connection
 * exists at any moment: attempts are serialised, and a connection whose setup failed is closed before
 * the next attempt.
 */
export class ReconnectingConnection {
  private conn: ChannelModel | null = null;
  private connecting: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryAt = 0;
  private attempt = 0;
  private closing = false;
  private isBlocked = false;
  private readonly nodes: NodeChoice;

  constructor(private readonly opts: ReconnectingConnectionOptions) {
    this.nodes = createNodeChoice(opts.urls);
  }

  /** Makes the first attempt and resolves when it has succeeded or failed (failure schedules a retry). */
  start(): Promise<void> {
    return this.connect();
  }

  get current(): ChannelModel | null {
    return this.conn;
  }

  get blocked(): boolean {
    return this.isBlocked;
  }

  /** Milliseconds until the next reconnect attempt, or 0 when connected or an attempt is under way. */
  retryInMs(): number {
    return this.retryTimer ? Math.max(0, this.retryAt - Date.now()) : 0;
  }

  /** Drops the current connection (e.g. its channel died) so a fresh one is made. */
  reset(reason: string): void {
    const conn = this.conn;
    if (!conn) return;
    // Channels close first when the whole connection dies; only a lone channel failure needs a reset.
    setImmediate(() => {
      if (this.conn !== conn) return;
      this.opts.log.warn(`closing connection ${this.opts.name} to start over: ${reason}`);
      void closeQuietly(conn);
    });
  }

  async close(timeoutMs = 2_000): Promise<void> {
    this.closing = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.connecting) await Promise.race([this.connecting, sleep(timeoutMs)]);
    const conn = this.conn;
    this.conn = null;
    await closeQuietly(conn, timeoutMs);
  }

  private connect(): Promise<void> {
    if (this.closing || this.conn) return Promise.resolve();
    this.connecting ??= this.attemptOnce().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async attemptOnce(): Promise<void> {
    const { name, log } = this.opts;
    let conn: ChannelModel | null = null;
    try {
      conn = await connectAmqp(this.nodes.current(), name, this.opts.connectTimeoutMs);
      this.opts.onOpened?.();
      const opened = conn;
      let closedSeen = false;
      opened.on('error', (err: Error) => log.throttled(`conn-error:${name}`, `connection ${name} error: ${err.message}`));
      opened.on('close', () => {
        if (closedSeen) return;
        closedSeen = true;
        this.opts.onClosed?.();
        this.onConnectionClosed(opened);
      });
      opened.on('blocked', (reason: string) => {
        this.isBlocked = true;
        log.warn(`connection ${name} blocked by the broker: ${reason}`);
        this.opts.onBlocked?.(true);
      });
      opened.on('unblocked', () => {
        this.isBlocked = false;
        log.info(`connection ${name} unblocked`);
        this.opts.onBlocked?.(false);
      });
      await this.opts.setup(opened);
      if (closedSeen) throw new Error('the connection closed while its channels were being set up');
      if (this.closing) {
        await closeQuietly(opened);
        return;
      }
      this.conn = opened;
      this.attempt = 0;
      log.info(`connection ${name} open`);
    } catch (err) {
      if (conn) await closeQuietly(conn);
      log.throttled(`connect-failed:${name}`, `connection ${name} failed: ${(err as Error).message}`);
      this.nodes.failover();
      this.scheduleRetry();
    }
  }

  private onConnectionClosed(conn: ChannelModel): void {
    if (this.conn !== conn) return;
    this.conn = null;
    if (this.isBlocked) this.opts.onBlocked?.(false);
    this.isBlocked = false;
    if (!this.closing) {
      // On a cluster the node that dropped us may be going away: the next attempt goes to the next node.
      this.nodes.failover();
      this.opts.log.warn(`connection ${this.opts.name} closed; reconnecting${this.nodes.size > 1 ? ' to the next node' : ''}`);
      this.scheduleRetry();
    }
  }

  private scheduleRetry(): void {
    if (this.closing || this.retryTimer) return;
    const delay = backoffDelay(this.attempt++, this.opts.backoff ?? { baseMs: 200, capMs: 5_000 });
    this.retryAt = Date.now() + delay;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
