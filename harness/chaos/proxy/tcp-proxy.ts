import { createServer, connect, type Server, type Socket } from 'node:net';
import { registerCleanup } from '../../lifecycle/cleanup.ts';
import type { Direction, Toxic } from './toxics.ts';

export interface ProxyAddress {
  host: string;
  port: number;
}

interface Link {
  client: Socket;
  upstream: Socket;
  /** Lets bytes a removed toxic held back go on, per direction. */
  release: Array<() => void>;
}

/**
 * A Toxiproxy-style TCP proxy, in process (no Toxiproxy binary can be installed here). It sits on the
 * path service -> broker; toxics added at run time shape the bytes of every open and future connection.
 * Data is delivered in order and never dropped unless a toxic says so (timeout/blackhole).
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly links = new Set<Link>();
  private readonly toxics = new Map<number, Toxic>();
  private nextToxicId = 1;
  private releaseCleanup: (() => Promise<void>) | undefined;
  listenAddress: ProxyAddress | undefined;

  constructor(private readonly upstream: ProxyAddress) {}

  async start(port = 0): Promise<ProxyAddress> {
    // Half-open sockets let a close travel through the toxics like data instead of short-circuiting.
    const server = createServer({ allowHalfOpen: true }, (client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('proxy has no TCP address');
    this.listenAddress = { host: '127.0.0.1', port: address.port };
    this.releaseCleanup = registerCleanup({ name: `tcp proxy :${address.port}`, run: () => this.close(), runSync: () => this.destroyAll() });
    return this.listenAddress;
  }

  /** Adds a toxic to every open and future connection; the returned function removes it (idempotent). */
  addToxic(toxic: Toxic): () => void {
    const id = this.nextToxicId++;
    this.toxics.set(id, toxic);
    for (const link of this.links) toxic.onConnection?.(link.client, link.upstream);
    return () => {
      if (this.toxics.delete(id)) for (const link of this.links) for (const release of link.release) release();
    };
  }

  activeToxics(): string[] {
    return [...this.toxics.values()].map((t) => t.name);
  }

  openConnections(): number {
    return this.links.size;
  }

  async stop(): Promise<void> {
    await this.releaseCleanup?.();
  }

  private async close(): Promise<void> {
    this.destroyAll();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  private destroyAll(): void {
    for (const link of this.links) {
      link.client.destroy();
      link.upstream.destroy();
    }
    this.links.clear();
  }

  private accept(client: Socket): void {
    client.setNoDelay(true);
    const upstream = connect({ host: this.upstream.host, port: this.upstream.port, noDelay: true, allowHalfOpen: true });
    const toxicsNow = () => [...this.toxics.values()];
    const link: Link = {
      client,
      upstream,
      release: [this.forward(client, upstream, 'upstream', toxicsNow), this.forward(upstream, client, 'downstream', toxicsNow)],
    };
    this.links.add(link);
    // When one side is gone the other is told (after its queued bytes), and cut if it lingers.
    // A side that ended cleanly has its FIN travelling through forward() (maybe held by slow_close);
    // one that vanished without a FIN is passed on here.
    const closeOther = (closed: Socket, other: Socket) => () => {
      this.links.delete(link);
      if (!closed.readableEnded) other.end();
      setTimeout(() => other.destroy(), 5_000).unref();
    };
    client.once('close', closeOther(client, upstream));
    upstream.once('close', closeOther(upstream, client));
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.resetAndDestroy());
    for (const toxic of toxicsNow()) toxic.onConnection?.(client, upstream);
  }

  /**
   * Moves bytes from `from` to `to` through the toxics. Each chunk gets a release time never earlier
   * than the previous chunk's, and one timer drains the queue head first, so delays never reorder the
   * stream (separate timers would: Node orders timers by its loop clock, not by Date.now()). While a toxic
   * holds this direction, chunks wait in order and `from` is paused (TCP backpressure, as a real
   * partition does). Returns what to call when a toxic is removed: held bytes go on if nothing holds
   * them any more.
   */
  private forward(from: Socket, to: Socket, direction: Direction, toxics: () => Toxic[]): () => void {
    let lastRelease = 0;
    let ended = false;
    let timer: NodeJS.Timeout | undefined;
    const queue: Array<{ chunk: Buffer; at: number }> = [];
    const held: Buffer[] = [];
    const holding = () => toxics().some((t) => t.holds?.(direction));
    const endWhenDrained = () => {
      if (!ended || queue.length > 0 || held.length > 0) return;
      const delay = Math.max(0, ...toxics().map((t) => t.closeDelayMs?.(direction) ?? 0));
      setTimeout(() => to.end(), delay);
    };
    const write = (chunk: Buffer) => {
      if (!to.destroyed && !to.write(chunk)) from.pause();
    };
    const pump = () => {
      timer = undefined;
      const now = Date.now();
      while (queue.length > 0 && queue[0]!.at <= now) write(queue.shift()!.chunk);
      if (queue.length > 0) timer = setTimeout(pump, queue[0]!.at - now);
      else endWhenDrained();
    };
    const send = (chunk: Buffer) => {
      const now = Date.now();
      let delay = 0;
      for (const t of toxics()) delay += t.delayMs?.(chunk.length, direction) ?? 0;
      const at = Math.max(lastRelease, now + delay);
      lastRelease = at;
      if (at <= now && queue.length === 0) {
        write(chunk);
        return;
      }
      queue.push({ chunk, at });
      timer ??= setTimeout(pump, Math.max(0, queue[0]!.at - now));
    };
    from.on('data', (chunk: Buffer) => {
      if (held.length > 0 || holding()) {
        held.push(chunk);
        from.pause();
        return;
      }
      send(chunk);
    });
    to.on('drain', () => {
      if (held.length === 0 && !holding()) from.resume();
    });
    to.once('close', () => clearTimeout(timer));
    from.on('end', () => {
      ended = true;
      endWhenDrained();
    });
    return () => {
      if (holding()) return;
      while (held.length > 0) send(held.shift()!);
      if (!from.destroyed && to.writableNeedDrain !== true) from.resume();
      endWhenDrained();
    };
  }
}
