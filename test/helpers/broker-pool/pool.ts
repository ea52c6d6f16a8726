// The suite's shared RabbitMQ nodes, kept in vitest's main process: a node start costs 9-30 s of a
// shared 2-core machine, so integration files lease an already started node instead of starting their
// own. A lease is exclusive (the gate judges every connection on a node), and a node goes back to the
// pool only once it is as a fresh one: no connection, channel, queue, extra exchange, vhost, policy or
// user left, no alarm. A node a file changed through the broker itself (faults by erl or rabbitmqctl, a
// restart) first gets its runtime limits back, as recorded when it started, and is reused only if they
// read as then; a node left stopped, or that will not come clean, is stopped instead.
import { AMQP_LISTENERS } from '../../../harness/chaos/faults/connection-squeeze.ts';
import { parseBrokerMetrics } from '../../../harness/probe/broker-metrics.ts';
import { startRabbitNode, type StartedRabbitNode } from '../../../harness/stack/rabbitmq-node.ts';
import { waitFor } from '../broker-view.ts';

export interface PooledNode {
  id: string;
  node: StartedRabbitNode;
  /** Set once the lessee ran rabbitmqctl or erl on the node, or halted or restarted it. */
  tainted: boolean;
  /** Its runtime limits as started (memory watermark, disk limit, connection limit), for a tainted node's reset. */
  limits: RuntimeLimits;
  leasedBy?: string;
}

export interface BrokerPoolOptions {
  /** Most nodes alive at once; a lease waits beyond it. */
  max: number;
  /**
   * An idle node beyond the first is stopped after this long unleased: idle nodes still collect
   * statistics every second, which the timed tier's files should not share the cores with.
   */
  idleStopMs?: number;
  log?: (line: string) => void;
}

interface Waiter {
  file: string;
  resolve(node: PooledNode): void;
  reject(err: unknown): void;
  /** False once the lessee gave up waiting (its request closed): it must not be handed a node. */
  alive(): boolean;
}

export class BrokerPool {
  private readonly idle: PooledNode[] = [];
  private readonly leased = new Map<string, PooledNode>();
  private readonly waiters: Waiter[] = [];
  private starting = 0;
  private seq = 0;
  private closed = false;
  /** Nodes started, reused and discarded: printed at teardown so a suite run shows what sharing saved. */
  readonly stats = { started: 0, leases: 0, discarded: 0 };

  constructor(private readonly opts: BrokerPoolOptions) {}

  /** Starts nodes ahead of demand (while the unit tier runs). */
  warm(count: number): void {
    for (let i = 0; i < count && this.total() < this.opts.max; i++) void this.startOne();
  }

  lease(file: string, alive: () => boolean = () => true): Promise<PooledNode> {
    if (this.closed) return Promise.reject(new Error('the broker pool is closed'));
    return new Promise((resolve, reject) => {
      this.waiters.push({ file, resolve, reject, alive });
      this.dispatch();
    });
  }

  get(id: string): PooledNode {
    const pooled = this.leased.get(id);
    if (!pooled) throw new Error(`no leased broker ${id}`);
    return pooled;
  }

  /** Takes the node back: reset and reused, or stopped when it is tainted or will not come clean. */
  async release(id: string): Promise<void> {
    const pooled = this.leased.get(id);
    if (!pooled) return;
    this.leased.delete(id);
    const problem = await cleanUp(pooled).catch((err: unknown) => String(err));
    if (problem || this.closed) {
      if (problem) this.opts.log?.(`broker pool: stopping ${pooled.node.nodeName} after ${pooled.leasedBy}: ${problem}`);
      this.stats.discarded++;
      await pooled.node.stop().catch(() => {});
    } else {
      pooled.leasedBy = undefined;
      this.addIdle(pooled);
    }
    this.dispatch();
  }

  private addIdle(pooled: PooledNode): void {
    this.idle.push(pooled);
    const timer = setTimeout(() => {
      const i = this.idle.indexOf(pooled);
      if (i < 0 || this.idle.length <= 1 || this.closed) return;
      this.idle.splice(i, 1);
      void pooled.node.stop().catch(() => {});
    }, this.opts.idleStopMs ?? 60_000);
    timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.reject(new Error('the broker pool is closed'));
    const all = [...this.idle.splice(0), ...this.leased.values()];
    this.leased.clear();
    await Promise.all(all.map((p) => p.node.stop().catch(() => {})));
  }

  private total(): number {
    return this.idle.length + this.leased.size + this.starting;
  }

  private dispatch(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) if (!this.waiters[i]!.alive()) this.waiters.splice(i, 1);
    while (this.waiters.length > 0 && this.idle.length > 0) {
      const waiter = this.waiters.shift()!;
      const pooled = this.idle.shift()!;
      pooled.leasedBy = waiter.file;
      this.leased.set(pooled.id, pooled);
      this.stats.leases++;
      waiter.resolve(pooled);
    }
    // Start as many nodes as there are waiters not already covered by a start under way.
    let short = this.waiters.length - this.starting;
    while (short-- > 0 && this.total() < this.opts.max) void this.startOne();
  }

  private async startOne(): Promise<void> {
    this.starting++;
    try {
      const node = await startRabbitNode();
      this.stats.started++;
      if (this.closed) {
        await node.stop();
        return;
      }
      this.addIdle({ id: `b${++this.seq}`, node, tainted: false, limits: await readLimits(node) });
    } catch (err) {
      // The longest waiter gets the error, as it would had it started its own node; the others get
      // another start (bounded: each failure takes one waiter out).
      this.opts.log?.(`broker pool: a node failed to start: ${String(err)}`);
      this.waiters.shift()?.reject(err);
    } finally {
      this.starting--;
    }
    this.dispatch();
  }
}

interface RuntimeLimits {
  watermark: string;
  diskFreeLimit: string;
  connectionMax: string;
}

async function readLimits(node: StartedRabbitNode): Promise<RuntimeLimits> {
  const read = async (expr: string) => (await node.erl(undefined, expr)).trim();
  return {
    watermark: await read('vm_memory_monitor:get_vm_memory_high_watermark().'),
    diskFreeLimit: await read('rabbit_disk_monitor:get_disk_free_limit().'),
    connectionMax: await read(`case ${AMQP_LISTENERS} of [R | _] -> ranch:get_max_connections(R); [] -> none end.`),
  };
}

/**
 * Puts a tainted node's runtime limits back as they were at its start (an alarm fault moves the watermark
 * or the disk limit; a squeeze, or a file's own connection_max, the listener's limit) and waits for its
 * alarms to clear; returns why it cannot be reused, or undefined.
 */
async function restoreLimits(pooled: PooledNode): Promise<string | undefined> {
  const { node, limits } = pooled;
  if (!node.running()) return 'it was left stopped';
  await node.erl(
    undefined,
    `vm_memory_monitor:set_vm_memory_high_watermark(${limits.watermark}), rabbit_disk_monitor:set_disk_free_limit(${limits.diskFreeLimit}), ` +
      `[ranch:set_max_connections(R, ${limits.connectionMax}) || R <- ${AMQP_LISTENERS}], ok.`,
  );
  const now = await readLimits(node);
  if (JSON.stringify(now) !== JSON.stringify(limits)) return `its limits would not go back (${JSON.stringify(now)}, started with ${JSON.stringify(limits)})`;
  const deadline = Date.now() + 10_000;
  while ((await node.erl(undefined, 'rabbit_alarm:get_alarms().')).trim() !== '[]') {
    if (Date.now() > deadline) return 'a resource alarm stayed set after its limits were put back';
    await new Promise((r) => setTimeout(r, 250));
  }
  return undefined;
}

/** A returned node's way back to fresh: its limits first if the lessee changed the broker; why not, or undefined. */
async function cleanUp(pooled: PooledNode): Promise<string | undefined> {
  if (pooled.tainted) {
    const problem = await restoreLimits(pooled);
    if (problem) return problem;
  }
  return resetNode(pooled.node);
}

/** Brings a node back to what a fresh one is; returns what it could not undo, or undefined. */
export async function resetNode(node: StartedRabbitNode): Promise<string | undefined> {
  const api = managementApi(node);
  const deadline = Date.now() + 15_000;
  // Close what the file left open (its processes are gone by now, but a connection can still be closing).
  for (;;) {
    const counts = parseBrokerMetrics(await (await fetch(`${node.prometheusUrl}/metrics`)).text());
    if (counts.connections === 0 && counts.channels === 0) break;
    if (Date.now() > deadline) return `${counts.connections} connections and ${counts.channels} channels would not close`;
    await closeAllConnections(node);
    await new Promise((r) => setTimeout(r, 200));
  }
  const vhosts = (await api.get('/api/vhosts')) as Array<{ name: string }>;
  await Promise.all(vhosts.filter((v) => v.name !== '/').map((v) => api.del(`/api/vhosts/${encodeURIComponent(v.name)}`)));
  const queues = (await api.get('/api/queues/%2F')) as Array<{ name: string }>;
  await Promise.all(queues.map((q) => api.del(`/api/queues/%2F/${encodeURIComponent(q.name)}`)));
  const exchanges = (await api.get('/api/exchanges/%2F')) as Array<{ name: string }>;
  await Promise.all(exchanges.filter((x) => x.name !== '' && !x.name.startsWith('amq.')).map((x) => api.del(`/api/exchanges/%2F/${encodeURIComponent(x.name)}`)));
  for (const kind of ['policies', 'operator-policies']) {
    const list = (await api.get(`/api/${kind}`)) as Array<{ vhost: string; name: string }>;
    await Promise.all(list.map((p) => api.del(`/api/${kind}/${encodeURIComponent(p.vhost)}/${encodeURIComponent(p.name)}`)));
  }
  const users = (await api.get('/api/users')) as Array<{ name: string }>;
  await Promise.all(users.filter((u) => u.name !== node.credentials.username).map((u) => api.del(`/api/users/${encodeURIComponent(u.name)}`)));
  // The management API reports alarms from the node's periodic statistics, a second or more behind: a file
  // that reverted its alarm just before it ended can still show it set (seen in CI, and the node was stopped).
  const alarmed = ([info]: Array<{ mem_alarm?: boolean; disk_free_alarm?: boolean }>) => Boolean(info?.mem_alarm || info?.disk_free_alarm);
  const nodes = await waitFor(() => api.get('/api/nodes') as Promise<Array<{ mem_alarm?: boolean; disk_free_alarm?: boolean }>>, (n) => !alarmed(n), 5_000, 250);
  return alarmed(nodes) ? 'a resource alarm is still set' : undefined;
}

/** Closes every connection the node lists (the management API's view lags the node's by up to a second). */
export async function closeAllConnections(node: StartedRabbitNode): Promise<void> {
  const api = managementApi(node);
  const conns = (await api.get('/api/connections')) as Array<{ name: string }>;
  await Promise.all(conns.map((c) => api.del(`/api/connections/${encodeURIComponent(c.name)}`)));
}

function managementApi(node: StartedRabbitNode): { get(path: string): Promise<unknown>; del(path: string): Promise<void> } {
  const authorization = `Basic ${Buffer.from(`${node.credentials.username}:${node.credentials.password}`).toString('base64')}`;
  const call = async (method: string, path: string): Promise<Response> => {
    const res = await fetch(`${node.managementUrl}${path}`, { method, headers: { authorization, 'x-reason': 'rushgate test pool reset' } });
    // 404: gone already (a queue auto-deleted with its last consumer, a connection that just closed).
    if (!res.ok && res.status !== 404) throw new Error(`${method} ${path}: HTTP ${res.status}`);
    return res;
  };
  return {
    get: async (path) => (await call('GET', path)).json(),
    del: async (path) => {
      await (await call('DELETE', path)).arrayBuffer();
    },
  };
}
