import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultContext } from '../../harness/chaos/fault.ts';
import { partition } from '../../harness/chaos/faults/partition.ts';
import { clusterControl } from '../../harness/stack/local.ts';
import { startRabbitCluster, type StartedRabbitCluster } from '../../harness/stack/rabbitmq-cluster.ts';
import { waitFor } from '../helpers/broker-view.ts';

// A partition on a 3-node cluster (pause_minority), no load: the node cut off from both others pauses,
// the link stays down for the window, and the revert lets it rejoin and run again. Everything goes through
// the first member's control node, which keeps its own links to all three.
let cluster: StartedRabbitCluster;
let ctx: FaultContext;

beforeAll(async () => {
  cluster = await startRabbitCluster({ nodes: 3 });
  ctx = {
    cluster: clusterControl(cluster),
    erl: cluster.members[0]!.erl,
    log: () => {},
  };
}, 240_000);
afterAll(async () => {
  await cluster?.stop();
});

describe('partition', () => {
  it('isolating node 3 pauses it (pause_minority), keeps the link down for the window, and the revert heals it', async () => {
    const [n1, n2, n3] = cluster.members.map((m) => m.nodeName) as [string, string, string];
    const erl = ctx.erl!;
    const running = (node: string) => erl(node, 'rabbit:is_running().');
    const sees = async (node: string, other: string) => (await erl(node, `lists:member('${other}', nodes()).`)) === 'true';
    expect(await sees(n1, n3)).toBe(true);

    const revert = await partition({ node: 3 }).inject(ctx);
    try {
      expect(await waitFor(() => running(n3), (v) => v === 'false', 60_000, 250)).toBe('false');
      // The majority serves. While the cut spreads, RabbitMQ's partial-partition check may drop the n1-n2 link
      // for a moment (one side hears from n3 that the other is gone), pausing them briefly: they resume on their own.
      const majority = async () => [await running(n1), await running(n2)];
      expect(await waitFor(majority, (v) => v.every((x) => x === 'true'), 60_000, 500)).toEqual(['true', 'true']);
      // Held: the nodes keep trying to reconnect, and fail the handshake every time.
      await new Promise((r) => setTimeout(r, 3_000));
      expect([await sees(n1, n3), await sees(n2, n3), await sees(n3, n1), await sees(n3, n2)]).toEqual([false, false, false, false]);
      expect(await sees(n1, n2)).toBe(true);
    } finally {
      await revert();
    }
    expect(await waitFor(() => running(n3), (v) => v === 'true', 90_000, 500)).toBe('true');
    expect(await waitFor(() => cluster.runningNodes(), (v) => v.length === 3, 30_000, 500)).toHaveLength(3);
  }, 200_000);
});
