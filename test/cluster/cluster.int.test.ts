// A 3-node local cluster, shared by the whole file (a cluster start costs 20-60 s on this machine): it
// forms one cluster; a partition (pause_minority) pauses the node cut off and the revert heals it; the
// `shared` service keeps every acknowledged request, answers 5xx only inside the fault window and reconnects
// to the survivors when the node holding most of its connections is killed at the first peak; `leaky` fills
// the nodes one after the other; stop() leaves nothing behind.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultContext } from '../../harness/chaos/fault.ts';
import { partition } from '../../harness/chaos/faults/partition.ts';
import { executeRun } from '../../harness/run/execute-run.ts';
import { formatVerdictLines } from '../../harness/run/print-verdict.ts';
import type { RunRecord } from '../../harness/run-record.ts';
import { clusterControl } from '../../harness/stack/local.ts';
import { startRabbitCluster, type StartedRabbitCluster } from '../../harness/stack/rabbitmq-cluster.ts';
import { defineScenario } from '../../scenarios/define-scenario.ts';
import { createLogger } from '../../service/log.ts';
import { createUnitMetrics } from '../../service/metrics.ts';
import { BrokerUnavailableError } from '../../service/publishers/publisher.ts';
import { createSharedPublisher, NACK_RETRY_MS } from '../../service/publishers/shared.ts';
import { waitFor } from '../helpers/broker-view.ts';

const NODES = 3;
const UNITS = 2;
/** 5xx may still be answered in the second after the fault ended: calls in flight at its end. */
const GRACE_SEC = 1;
/** Per node: small, so the leak meets it within seconds at a low rate. */
const CONNECTION_MAX = 15;
const MIX = {
  'item-put': { weight: 70 },
  'items-batch': { weight: 10, items: { min: 5, max: 20 } },
  matchings: { weight: 20, pairs: { min: 1, max: 10 } },
};

// The morning in 20 s: peak-1 (07:45-08:10) runs from ~10 s to ~11.9 s; the kill lands at 07:47.
const killAtPeak = defineScenario({
  name: 'eu-morning-node-kill',
  description: 'eu-morning with the busiest node killed at the first peak',
  timeline: 'eu-morning',
  defaultDurationSec: 20,
  peakRps: 80,
  seed: 1607,
  mix: MIX,
  chaos: [{ at: '07:47', fault: 'node-kill', node: 'most-connections' }],
});
const morning = defineScenario({ name: 'eu-morning-leak', description: 'eu-morning for the leak', timeline: 'eu-morning', defaultDurationSec: 12, peakRps: 40, seed: 1608, mix: MIX });

const tmp = mkdtempSync(join(tmpdir(), 'rushgate-cluster-test-'));
const dirs: string[] = [tmp];
let cluster: StartedRabbitCluster;
let startMs = 0;
beforeAll(async () => {
  // The cluster's temp dirs go under a TMPDIR of this file's own, to check that stop() removes them.
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = tmp;
  const t0 = Date.now();
  try {
    cluster = await startRabbitCluster({ nodes: NODES, connectionMax: CONNECTION_MAX });
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  startMs = Date.now() - t0;
}, 180_000);
afterAll(async () => {
  await cluster?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function run(publisher: 'shared' | 'leaky', scenario: typeof morning, connectionMax?: number): Promise<{ record: RunRecord; lines: string }> {
  const outDir = mkdtempSync(join(tmpdir(), `rushgate-cluster-${publisher}-`));
  dirs.push(outDir);
  const record = await executeRun({
    scenario,
    stack: 'local',
    brokerCluster: cluster,
    publisher,
    units: UNITS,
    connectionMax,
    // The landing is read from the management API's connection list, which lags the broker by up to ~1 s:
    // measured 1.7-4.6 s here, judged against 6 s so that lag cannot fail a landing inside 5 s.
    limits: { args: publisher === 'shared' ? ['chaos.recovery<=6s'] : [] },
    abortOnFail: false,
    outDir,
    log: () => {},
  });
  return { record, lines: formatVerdictLines(record).join('\n') };
}

/** Whether the node at this URL declares (and deletes) a quorum queue now. */
async function declaresQuorumQueue(url: string): Promise<boolean> {
  const conn = await amqp.connect(url).catch(() => undefined);
  if (!conn) return false;
  conn.on('error', () => {});
  try {
    const ch = await conn.createChannel();
    ch.on('error', () => {});
    const q = `rushgate.cluster-test.settled.${process.pid}`;
    await ch.assertQueue(q, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await ch.deleteQueue(q);
    return true;
  } catch {
    return false;
  } finally {
    await conn.close().catch(() => {});
  }
}

describe('3-node local cluster', () => {
  it('forms one cluster of running nodes', async () => {
    process.stderr.write(`cluster of ${NODES} up in ${(startMs / 1000).toFixed(1)} s\n`);
    const names = cluster.nodes().map((n) => n.name);
    expect(new Set(names).size).toBe(NODES);
    // Each member sees all of them, running: one cluster, not three.
    for (const m of cluster.members) {
      const res = await fetch(`${m.managementUrl}/api/nodes?columns=name,running`, {
        headers: { authorization: `Basic ${Buffer.from(`${cluster.credentials.username}:${cluster.credentials.password}`).toString('base64')}` },
      });
      const seen = (await res.json()) as Array<{ name: string; running: boolean }>;
      expect(seen.filter((n) => n.running).map((n) => n.name).sort()).toEqual([...names].sort());
    }
  });

  it('partition: isolating node 3 pauses it (pause_minority), keeps the link down for the window, and the revert heals it', async () => {
    // No load. Everything goes through the first member's control node, which keeps its own links to all three.
    const ctx: FaultContext = { cluster: clusterControl(cluster), erl: cluster.members[0]!.erl, log: () => {} };
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
      // Called directly, not from a run's fault timeline, which retries a revert that fails: retried here.
      await waitFor(() => revert().then(() => true, () => false), (done) => done, 15_000, 500);
      await revert(); // done by now, or it throws why not
    }
    expect(await waitFor(() => running(n3), (v) => v === 'true', 90_000, 500)).toBe('true');
    // The next tests need all three, in one cluster again.
    expect(await waitFor(() => cluster.runningNodes(), (v) => v.length === NODES, 30_000, 500)).toHaveLength(NODES);
    // And able to declare quorum queues on every node: in one CI run the kill test, started right after, had
    // its quorum declare on node 1 refused ("541 ... rabbit_quorum_queue ... the corresponding feature flag
    // is disabled"). Why was not found; the likely window is the feature-flag registry that the members
    // reload while the cut-off node rejoins.
    for (const m of cluster.members) {
      expect(await waitFor(() => declaresQuorumQueue(m.amqpUrl), (ok) => ok, 30_000, 500), m.nodeName).toBe(true);
    }
  }, 200_000);

  it('shared: a node-kill of the busiest node at the first peak loses no acknowledged request; connections land on the survivors within 5 s (judged at 6 s: the management API lags)', async () => {
    const { record, lines } = await run('shared', killAtPeak);
    const down = cluster.members.filter((m) => !m.running()).map((m) => m.nodeName);
    try {
      await killedBusiestNode(record, lines);
    } finally {
      // The killed member comes back on its ports and data dir, into the same cluster (the next test needs it).
      await Promise.all(down.map((n) => cluster.startNode(n)));
    }
    expect(down).toHaveLength(1);
    expect((await cluster.runningNodes()).sort()).toEqual(cluster.nodes().map((n) => n.name).sort());
  }, 240_000);

  async function killedBusiestNode(record: RunRecord, lines: string): Promise<void> {
    const start = record.events.find((e) => e.kind === 'fault-start');
    const end = record.events.find((e) => e.kind === 'fault-end');
    expect(start, lines).toBeDefined();
    expect(end, lines).toBeDefined();
    const notes = record.events.filter((e) => e.kind === 'note').map((e) => e.message);
    const reconnect = notes.map((m) => /^reconnect after node kill of (\S+): .* again after ([\d.]+) s \(at most (\d+) meanwhile\)/.exec(m)).find(Boolean);
    expect(reconnect, `${notes.join('\n')}\n${lines}`).toBeTruthy();
    const [, victim, afterSec, peak] = reconnect as RegExpExecArray;
    process.stderr.write(`node-kill of ${victim}: connections back on the survivors after ${afterSec} s (at most ${peak})\n`);
    expect(Number(afterSec)).toBeLessThanOrEqual(6);
    // One per unit (+ the consumer's): no storm of extra connections on the survivors.
    expect(Number(peak)).toBeLessThanOrEqual(UNITS + 1);
    expect(record.verdict.rules.find((r) => r.name === 'chaos.reconnect')?.passed, lines).toBe(true);
    const perNode = await cluster.connectionsPerNode();
    expect(perNode.get(victim as string) ?? 0).toBe(0);

    expect(record.integrity, lines).toBeDefined();
    process.stderr.write(`acknowledged-but-lost: ${record.integrity?.acknowledgedButLost.count}\n`);
    expect(record.integrity?.acknowledgedButLost.count, lines).toBe(0);
    expect(record.integrity?.tapInterrupted, lines).toBeUndefined();
    // 5xx only inside the fault window: every second with a 5xx overlaps [fault start, fault end + GRACE_SEC].
    // Before the shared publisher took a fresh channel on a nack, a unit that reconnected before the quorum
    // queues' new leader was recorded had every publish nacked until the killed node came back (503 to the
    // end of the load, issue 16). The window ends when the management API lists the connections on the
    // survivors, up to ~4 s after the real landing (0.2-1.6 s after the kill here); since the fix the 5xx
    // came before the units' reconnect (the kill's second, up to 2 s after it), inside either end.
    const { t: startSec } = start as { t: number };
    const { t: endSec } = end as { t: number };
    const fiveXx = record.load.filter((s) => Object.entries(s.status).some(([code, n]) => code.startsWith('5') && n > 0)).map((s) => s.t);
    process.stderr.write(`5xx seconds: ${fiveXx.join(',') || 'none'}; fault ${startSec.toFixed(1)}-${endSec.toFixed(1)} s\n`);
    const outside = fiveXx.filter((t) => t + 1 <= startSec || t > endSec + GRACE_SEC);
    expect(outside, `5xx outside the fault window ${startSec}-${endSec} s (+${GRACE_SEC} s)\n${lines}`).toEqual([]);
  }

  it('leaky: fills the nodes one after the other, each to its own connection_max', async () => {
    const seen: Array<Map<string, number>> = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const counts = await cluster.connectionsPerNode().catch(() => undefined);
        if (counts) seen.push(counts);
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    const { record, lines } = await run('leaky', morning, CONNECTION_MAX).finally(() => (polling = false));
    await poller;
    const names = cluster.nodes().map((n) => n.name);
    const most = names.map((n) => Math.max(...seen.map((c) => c.get(n) ?? 0)));
    process.stderr.write(`leaky: most connections per node ${most.join(', ')} (connection_max ${CONNECTION_MAX} each)\n`);
    // connection_max is soft: a few more get through (DESIGN.md).
    for (const m of most) expect(m, lines).toBeGreaterThanOrEqual(CONNECTION_MAX - 1);
    // Node by node: at some moment one node was full while another was still far from it.
    const staggered = seen.some((c) => {
      const counts = names.map((n) => c.get(n) ?? 0);
      return Math.max(...counts) >= CONNECTION_MAX - 1 && Math.min(...counts) < CONNECTION_MAX / 2;
    });
    expect(staggered, lines).toBe(true);
    expect(record.verdict.passed, lines).toBe(false);
  }, 240_000);

  it('shared publisher: a nacked publish goes again on fresh channels for up to 2 s, and the old channels are closed', async () => {
    // What keeps the kill's 5xx inside its window, made certain: a queue that rejects every publish
    // (reject-publish, max length 0) nacks each one, as a channel stuck on a dead quorum leader does.
    const member = cluster.members[0]!;
    const exchange = `rushgate-nack-probe-${process.pid}`;
    const admin = await amqp.connect(member.amqpUrl);
    try {
      const ch = await admin.createChannel();
      await ch.assertExchange(exchange, 'topic', { durable: true });
      const { queue } = await ch.assertQueue('', { exclusive: true, arguments: { 'x-max-length': 0, 'x-overflow': 'reject-publish' } });
      await ch.bindQueue(queue, exchange, '#');
      const metrics = createUnitMetrics(99, 'shared');
      const publisher = createSharedPublisher({ unit: 99, amqpUrls: [member.amqpUrl], exchange, connectTimeoutMs: 2_000, confirmTimeoutMs: 5_000, metrics, log: createLogger('nack-probe', () => {}) });
      await publisher.start();
      try {
        const message = { requestId: 'nack-probe-1', routingKey: 'items.put', type: 'item-put', body: Buffer.from('{}') };
        const t0 = performance.now();
        const err = await publisher.publish(message).then(() => undefined, (e: unknown) => e);
        const tookMs = performance.now() - t0;
        expect(err).toBeInstanceOf(BrokerUnavailableError);
        expect((err as BrokerUnavailableError).reason).toBe('nack');
        // Retried for its budget (not refused at the first nack), and no longer than the budget plus a busy machine's slack.
        expect(tookMs).toBeGreaterThanOrEqual(NACK_RETRY_MS / 2);
        expect(tookMs).toBeLessThan(NACK_RETRY_MS + 3_000);
        expect((await metrics.nacks.get()).values[0]?.value ?? 0).toBeGreaterThan(1);
        // The retired channels close once their confirms are in: no pile of channels behind.
        const open = async () => (await metrics.channelsOpen.get()).values[0]?.value ?? 0;
        expect(await waitFor(open, (n) => n <= 2, 5_000, 100)).toBeLessThanOrEqual(2);
        // Once the queue takes messages again, the same call goes through on the current channel.
        await ch.unbindQueue(queue, exchange, '#');
        await expect(publisher.publish({ ...message, requestId: 'nack-probe-2' })).resolves.toBeUndefined();
      } finally {
        await publisher.close(2_000);
        await ch.deleteExchange(exchange).catch(() => {});
      }
    } finally {
      await admin.close().catch(() => {});
    }
  }, 30_000);

  it('stop() leaves no process, port or temp dir behind', async () => {
    const pids = cluster.nodes().map((n) => n.pid).filter((p): p is number => p !== undefined);
    expect(pids).toHaveLength(NODES);
    const urls = cluster.nodes().map((n) => n.managementUrl);
    await cluster.stop();
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    for (const url of urls) await expect(fetch(`${url}/api/overview`)).rejects.toThrow();
    expect(readdirSync(tmp).filter((d) => d.startsWith('rushgate-'))).toEqual([]);
  }, 60_000);
});
