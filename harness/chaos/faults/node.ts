// Faults on one member of a local cluster: an orderly stop, a crash (SIGKILL of its process group, all
// PIDs we own), and a start. After a node goes, the fault watches where the target's connections land:
// a reconnect storm is the other way a cluster saturates (every client of the lost node arriving at the
// others at once), so it notes when the survivors held the target's connections again and how many.
import type { ClusterControl } from '../../stack/stack.ts';
import { FaultError, need, once, type Fault, type FaultContext } from '../fault.ts';
import { formatReconnectNote } from '../reconnect-note.ts';

/** A member by 1-based index, by Erlang node name, or the one holding most of the target's connections. */
export type NodeSelector = 'most-connections' | number | string;

const WATCH_INTERVAL_MS = 250;
/** How long the reconnection is watched after the node went (the chaos.recovery default is 5 s). */
const WATCH_MS = 30_000;

export function nodeFault(opts: { action: 'stop' | 'kill' | 'start'; node?: NodeSelector; comesBack?: boolean }): Fault {
  const selector = opts.node ?? (opts.action === 'start' ? undefined : 'most-connections');
  const which = selector === undefined ? 'every stopped node' : typeof selector === 'number' ? `node ${selector}` : selector === 'most-connections' ? 'the node with most connections' : selector;
  const verb = { stop: 'node stop', kill: 'node kill', start: 'node start' }[opts.action];
  return {
    kind: `node-${opts.action}`,
    description: `${verb} (${which})`,
    needs: ['cluster'],
    inject: async (ctx) => {
      const cluster = need(ctx, 'cluster', `node-${opts.action}`);
      if (opts.action === 'start') {
        const names = selector === undefined ? cluster.nodes.map((n) => n.name) : [await pick(cluster, selector)];
        await Promise.all(names.map((n) => cluster.startNode(n)));
        return async () => {};
      }
      const before = await cluster.connectionsPerNode();
      const victim = await pick(cluster, selector ?? 'most-connections', before);
      ctx.log(`fault: ${verb} of ${victim} (${before.get(victim) ?? 0} of the target's connections on it)`);
      await (opts.action === 'kill' ? cluster.killNode(victim) : cluster.stopNode(victim));
      const watching = watchReconnection(ctx, cluster, victim, before, verb);
      // Without `for` the node stays down for the rest of the run, and the fault (a one-off) lasts until
      // the target's connections have landed on the survivors (or the watch gave up): that is when its
      // clients are back in service, as a broker restart lasts until the broker is back. With `for` the
      // node comes back at the end of the window, on its ports and data dir, into the cluster.
      if (!opts.comesBack) return once(() => watching.landed);
      return once(async () => {
        watching.stop();
        await cluster.startNode(victim);
      });
    },
  };
}

export async function pick(cluster: ClusterControl, selector: NodeSelector, counts?: Map<string, number>): Promise<string> {
  const names = cluster.nodes.map((n) => n.name);
  if (typeof selector === 'number') {
    const name = names[selector - 1];
    if (!name) throw new FaultError(`there is no node ${selector}: the cluster has ${names.length}`);
    return name;
  }
  if (selector !== 'most-connections') {
    if (!names.includes(selector)) throw new FaultError(`no cluster node is named ${selector} (nodes: ${names.join(', ')})`);
    return selector;
  }
  const perNode = counts ?? (await cluster.connectionsPerNode());
  // Ties go to the earliest node, so a run is repeatable when the connections are spread evenly.
  let best = names[0] as string;
  for (const n of names) if ((perNode.get(n) ?? 0) > (perNode.get(best) ?? 0)) best = n;
  return best;
}

/**
 * Polls where the target's connections are until the surviving nodes hold as many as all nodes did
 * before (or the watch ends), then notes how long that took and the most they held meanwhile.
 */
function watchReconnection(
  ctx: FaultContext,
  cluster: ClusterControl,
  victim: string,
  before: Map<string, number>,
  verb: string,
): { stop(): void; landed: Promise<void> } {
  const expected = [...before.values()].reduce((a, b) => a + b, 0);
  const wentAt = Date.now();
  let stopped = false;
  let peak = 0;
  let landedAfterMs: number | undefined;
  const say = (message: string) => (ctx.note ?? ctx.log)(message);
  let markLanded = () => {};
  const landed = new Promise<void>((resolve) => (markLanded = resolve));
  void (async () => {
    while (!stopped && Date.now() - wentAt < WATCH_MS) {
      await new Promise((r) => setTimeout(r, WATCH_INTERVAL_MS));
      const now = await cluster.connectionsPerNode().catch(() => undefined);
      if (!now) continue;
      const survivors = [...now].filter(([n]) => n !== victim).reduce((a, [, c]) => a + c, 0);
      peak = Math.max(peak, survivors);
      if (landedAfterMs === undefined && survivors >= expected) {
        landedAfterMs = Date.now() - wentAt;
        markLanded();
      }
      // A second look after landing shows whether the count stays put (no storm of extra connections).
      if (landedAfterMs !== undefined && Date.now() - wentAt >= landedAfterMs + 1_000) break;
    }
    say(
      formatReconnectNote({
        action: verb,
        node: victim,
        expected,
        landedAfterSec: landedAfterMs === undefined ? undefined : landedAfterMs / 1000,
        peak,
        watchedSec: (Date.now() - wentAt) / 1000,
      }),
    );
    markLanded();
  })();
  return {
    stop: () => {
      stopped = true;
      markLanded();
    },
    landed,
  };
}
