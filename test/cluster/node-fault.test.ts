// The node faults against a stand-in for the cluster control (the real cluster is in cluster.int.test.ts):
// which node they pick, what they do to it, and the reconnection note.
import { describe, expect, it } from 'vitest';
import { buildFault } from '../../harness/chaos/build-fault.ts';
import { formatReconnectNote, parseReconnectNote } from '../../harness/chaos/reconnect-note.ts';
import { chaosReconnectRule } from '../../harness/gate/chaos-reconnect.ts';
import { withDefaults, type DurationLimit } from '../../harness/gate/limits.ts';
import type { ClusterControl } from '../../harness/stack/stack.ts';
import { chaosSpecSchema } from '../../scenarios/chaos-schema.ts';

const NAMES = ['n-1@localhost', 'n-2@localhost', 'n-3@localhost'];

function fakeCluster(counts: number[]) {
  const actions: string[] = [];
  let current = new Map(NAMES.map((n, i) => [n, counts[i] ?? 0]));
  const control: ClusterControl = {
    nodes: NAMES.map((name) => ({ name, amqpUrl: '', managementUrl: '', prometheusUrl: '' })),
    stopNode: async (n) => void actions.push(`stop ${n}`),
    startNode: async (n) => void actions.push(`start ${n}`),
    killNode: async (n) => {
      actions.push(`kill ${n}`);
      // The victim's clients come back on the next node a moment later.
      const moved = current.get(n) ?? 0;
      setTimeout(() => {
        current = new Map(current);
        current.set(n, 0);
        const next = NAMES[(NAMES.indexOf(n) + 1) % NAMES.length] as string;
        current.set(next, (current.get(next) ?? 0) + moved);
      }, 300);
    },
    connectionsPerNode: async () => current,
  };
  return { control, actions };
}

const fault = (spec: object, forSec?: number) => buildFault(chaosSpecSchema.parse({ at: '07:50', ...spec }), forSec);

describe('node faults', () => {
  it('node-kill picks the node with most of the target connections, and its window ends once they landed', async () => {
    const { control, actions } = fakeCluster([1, 3, 1]);
    const notes: string[] = [];
    const revert = await fault({ fault: 'node-kill' }).inject({ cluster: control, log: () => {}, note: (m) => notes.push(m) });
    expect(actions).toEqual(['kill n-2@localhost']);
    await revert();
    // The note follows a second look, a second after they landed.
    for (let i = 0; i < 40 && notes.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(notes.join('\n')).toMatch(/^reconnect after node kill of n-2@localhost: the surviving nodes held the target's 5 connection\(s\) again after [\d.]+ s \(at most 5 meanwhile\)/);
  });

  it('node-stop by index, with `for`: the node comes back at the end of the window', async () => {
    const { control, actions } = fakeCluster([0, 0, 0]);
    const revert = await fault({ fault: 'node-stop', node: 3, for: '5s' }, 5).inject({ cluster: control, log: () => {} });
    expect(actions).toEqual(['stop n-3@localhost']);
    await revert();
    expect(actions).toEqual(['stop n-3@localhost', 'start n-3@localhost']);
  });

  it('node-start without a node starts every member (running ones return at once); a bad index is refused', async () => {
    const { control, actions } = fakeCluster([0, 0, 0]);
    await fault({ fault: 'node-start' }).inject({ cluster: control, log: () => {} });
    expect(actions.sort()).toEqual(NAMES.map((n) => `start ${n}`));
    await expect(fault({ fault: 'node-kill', node: 4 }).inject({ cluster: control, log: () => {} })).rejects.toThrow(/there is no node 4/);
  });

  it('needs a cluster, and the schema refuses a node that is not a name, an index or most-connections', () => {
    expect(fault({ fault: 'node-kill' }).needs).toEqual(['cluster']);
    expect(chaosSpecSchema.safeParse({ at: '07:50', fault: 'node-kill', node: 'busiest' }).success).toBe(false);
    expect(chaosSpecSchema.safeParse({ at: '07:50', fault: 'node-kill', node: 0 }).success).toBe(false);
    expect(chaosSpecSchema.safeParse({ at: '07:50', fault: 'node-kill', node: 'rushgate-ab12cd-2@localhost' }).success).toBe(true);
  });
});

describe('chaos.reconnect', () => {
  const limit = withDefaults()['chaos.recovery'] as DurationLimit;
  const note = (n: Parameters<typeof formatReconnectNote>[0]) => ({ t: 10, kind: 'note' as const, message: formatReconnectNote(n) });

  it('reads its notes back as written', () => {
    const landed = { action: 'node kill', node: 'n-2@localhost', expected: 3, landedAfterSec: 1.69, peak: 3, watchedSec: 1.69 };
    expect(parseReconnectNote(formatReconnectNote(landed))).toEqual(landed);
    const never = { action: 'node stop', node: 'n-1@localhost', expected: 3, peak: 1, watchedSec: 30 };
    expect(parseReconnectNote(formatReconnectNote(never))).toEqual(never);
    expect(parseReconnectNote('reverting x failed')).toBeUndefined();
  });

  it('passes when the connections are back within the limit and no more than before; fails a late landing and a storm', () => {
    expect(chaosReconnectRule({ events: [], broker: [], loadEndSec: 60 }, limit, 1)).toBeUndefined();
    const ok = chaosReconnectRule({ events: [note({ action: 'node kill', node: 'a@h', expected: 3, landedAfterSec: 1.7, peak: 3, watchedSec: 2.7 })], broker: [], loadEndSec: 60 }, limit, 1);
    expect(ok?.passed).toBe(true);
    expect(ok?.message).toMatch(/within 1\.7 s/);
    const late = chaosReconnectRule({ events: [note({ action: 'node kill', node: 'a@h', expected: 3, landedAfterSec: 7.2, peak: 3, watchedSec: 8 })], broker: [], loadEndSec: 60 }, limit, 1);
    expect(late?.passed).toBe(false);
    const storm = chaosReconnectRule({ events: [note({ action: 'node stop', node: 'a@h', expected: 3, landedAfterSec: 0.5, peak: 40, watchedSec: 1.5 })], broker: [], loadEndSec: 60 }, limit, 1);
    expect(storm?.passed).toBe(false);
    expect(storm?.message).toMatch(/reconnect storm/);
    const never = chaosReconnectRule({ events: [note({ action: 'node stop', node: 'a@h', expected: 3, peak: 1, watchedSec: 30 })], broker: [], loadEndSec: 60 }, limit, 1);
    expect(never?.value).toBe('never');
  });
});
