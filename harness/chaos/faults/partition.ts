// A network partition between cluster members, kept closed for the window. Erlang distribution is cut
// from inside the nodes: each side is given a wrong cookie for the other (erlang:set_cookie/2 for that one
// node) and the link is dropped (erlang:disconnect_node/1). Every reconnect either side then tries fails
// its handshake, so the link stays down until the revert puts the real cookie back and reconnects.
// net_kernel:allow/1 would block as well, but its list only grows (nothing can be removed from it), so a
// node could never be put back as it was: it would keep refusing every node not on the list, rabbitmqctl
// included. The hidden control node's own links are left alone, so it still reaches both sides (and can
// show that the minority side paused under pause_minority).
import { randomBytes } from 'node:crypto';
import { FaultError, need, once, type Fault } from '../fault.ts';
import { pick, type NodeSelector } from './node.ts';

export interface PartitionOptions {
  /** The node cut off (1-based index, Erlang node name, or the one with most of the target's connections). */
  node?: NodeSelector;
  /** The nodes it is cut off from (default: every other member, which isolates it). */
  from?: NodeSelector[];
}

const atom = (name: string) => `'${name.replace(/'/g, "\\'")}'`;
const list = (names: string[]) => `[${names.map(atom).join(', ')}]`;

export function partition(opts: PartitionOptions = {}): Fault {
  const selector = opts.node ?? 'most-connections';
  const which = typeof selector === 'number' ? `node ${selector}` : selector === 'most-connections' ? 'the node with most connections' : selector;
  const fromText = opts.from ? opts.from.map((s) => (typeof s === 'number' ? `node ${s}` : s)).join(', ') : 'every other node';
  return {
    kind: 'partition',
    description: `partition (${which} cut off from ${fromText})`,
    needs: ['cluster', 'erl'],
    inject: async (ctx) => {
      const cluster = need(ctx, 'cluster', 'partition');
      const erl = need(ctx, 'erl', 'partition');
      const victim = await pick(cluster, selector);
      const others = opts.from
        ? await Promise.all(opts.from.map((s) => pick(cluster, s)))
        : cluster.nodes.map((n) => n.name).filter((n) => n !== victim);
      const peers = others.filter((n) => n !== victim);
      if (peers.length === 0) throw new FaultError(`a partition needs two nodes; ${victim} has no other to be cut off from`);
      // A different wrong cookie on each side, so the two can never agree on one. Cookies first, on every
      // side, and only then one side drops the links (closing a link closes it for both ends): cut from both
      // sides at once, the victim could see one peer go while the other still heard from it, and RabbitMQ's
      // partial-partition check would then split the majority too.
      const wrongCookie = (node: string, from: string[]) =>
        erl(node, `[erlang:set_cookie(N, '${`rushgate-partition-${randomBytes(6).toString('hex')}`}') || N <- ${list(from)}], ok.`);
      await Promise.all([wrongCookie(victim, peers), ...peers.map((p) => wrongCookie(p, [victim]))]);
      await erl(victim, `[erlang:disconnect_node(N) || N <- ${list(peers)}], ok.`);
      ctx.log(`partition: ${victim} cut off from ${peers.join(', ')}`);
      // Returns the nodes of `to` it still cannot reach, as Erlang text: "[]" once every link is up.
      const heal = (node: string, to: string[]) =>
        erl(node, `C = erlang:get_cookie(), [erlang:set_cookie(N, C) || N <- ${list(to)}], [N || N <- ${list(to)}, net_kernel:connect_node(N) =/= true].`);
      return once(async () => {
        // Both sides get their cookie back and connect, then say whom they still cannot reach. A revert that
        // leaves a link down fails, and the fault timeline tries it again (timeline.ts): a single unchecked
        // round once left the cut-off member paused by pause_minority for 90 s.
        const sides = [{ node: victim, to: peers }, ...peers.map((p) => ({ node: p, to: [victim] }))];
        const unreached = (
          await Promise.all(
            sides.map(({ node, to }) =>
              heal(node, to).then(
                (text) => (text === '[]' ? [] : [`${node} cannot reach ${text}`]),
                (err: Error) => [`${node}: ${err.message}`],
              ),
            ),
          )
        ).flat();
        if (unreached.length > 0) throw new FaultError(`partition: the links are not back yet: ${unreached.join('; ')}`);
      });
    },
  };
}
