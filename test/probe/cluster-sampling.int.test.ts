// `--stack external` against a 3-node cluster the test started: every node's connections are counted,
// each node's series matches what the management API says of that node, and a node that goes away is a
// gap of that node, not of the run. One cluster for the file; short, slow loads (the broker is the point).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp, { type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeRun, type RunOptions } from '../../harness/run/execute-run.ts';
import type { RunRecord } from '../../harness/run-record.ts';
import { startRabbitCluster, type StartedRabbitCluster } from '../../harness/stack/rabbitmq-cluster.ts';

let cluster: StartedRabbitCluster;
let target: Server;
let targetUrl: string;
const held: ChannelModel[] = [];
const dir = mkdtempSync(join(tmpdir(), 'rushgate-cluster-sampling-'));

beforeAll(async () => {
  cluster = await startRabbitCluster({ nodes: 3 });
  // A "service" holding 1, 2 and 3 connections (one channel each) on the three nodes.
  for (const [i, m] of cluster.members.entries()) {
    for (let k = 0; k <= i; k++) {
      const c = await amqp.connect(m.amqpUrl);
      c.on('error', () => {}); // the last test stops a node under them
      await c.createChannel();
      held.push(c);
    }
  }
  target = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
}, 240_000);

afterAll(async () => {
  await Promise.allSettled(held.map((c) => c.close()));
  // `target?.close(r)` would never call r when the cluster failed to start: the hook then hung until its
  // timeout and left the dir and the started members behind (CI, when a member refused to boot).
  if (target) await new Promise((r) => target.close(r));
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

const names = () => cluster.members.map((m) => m.nodeName);
const urls = () => cluster.members.map((m) => m.prometheusUrl);

function run(out: string, prometheusUrls: string[], extra: Partial<RunOptions> = {}): Promise<RunRecord> {
  const m = cluster.members[0]!;
  const { username, password } = cluster.credentials;
  return executeRun({
    scenario: 'step-ladder',
    durationSec: 4,
    peakRps: 5,
    stack: 'external',
    external: {
      amqpUrl: m.amqpUrl,
      managementUrl: m.managementUrl.replace('://', `://${username}:${encodeURIComponent(password)}@`),
      prometheusUrl: prometheusUrls[0]!,
      ...(prometheusUrls.length > 1 ? { prometheusUrls } : {}),
      targetUrl,
    },
    units: 1,
    limits: { args: [] },
    abortOnFail: false,
    baselineSec: 1,
    cooldownSec: 1,
    outDir: join(dir, out),
    log: () => {},
    ...extra,
  });
}

/** Every sample's total is the sum of the nodes that answered it. */
function expectSums(record: RunRecord): void {
  for (const s of record.broker) {
    expect(s.connections).toBe(s.nodes!.reduce((a, n) => a + n.connections, 0));
    expect(s.channels).toBe(s.nodes!.reduce((a, n) => a + n.channels, 0));
  }
}

describe('sampling a 3-node cluster from outside', () => {
  it("three --prometheus-url values: all 6 connections counted, each node's as the management API lists them", async () => {
    const record = await run('three-urls', urls());
    const perNode = await cluster.connectionsPerNode();
    expect(record.brokerNodes?.map((n) => n.node)).toEqual(names());
    expectSums(record);
    const last = record.broker.at(-1)!;
    expect(last.connections).toBe(6);
    expect(last.nodes!.map((n) => n.connections)).toEqual(names().map((n) => perNode.get(n)));
    expect(last.nodes!.map((n) => n.connections)).toEqual([1, 2, 3]);
    expect(record.summary.broker.peakConnections).toBe(6);
    // Each node has its own sampling record (a busy machine may leave a slow node out of a tick).
    expect(record.sampling?.nodes?.map((n) => n.node)).toEqual(names());
    expect(record.verdict.rules.find((r) => r.name === 'connections.nodes')?.message).toMatch(/^The busiest of 3 nodes held 3 connections \(/);
  }, 60_000);

  it('one --prometheus-url: the other nodes are found through the management API', async () => {
    const record = await run('discovered', [urls()[1]!]);
    expect(record.brokerNodes?.map((n) => n.node).sort()).toEqual([...names()].sort());
    expectSums(record);
    expect(record.broker.at(-1)!.connections).toBe(6);
  }, 60_000);

  it('a node stopped during the run is a gap of that node: the total is the nodes that answered, the run has no gap', async () => {
    const last = names()[2]!;
    const stopping = new Promise<void>((r) => setTimeout(r, 2_000)).then(() => cluster.stopNode(last));
    const record = await run('node-stopped', urls(), { durationSec: 8 });
    await stopping;
    expectSums(record);
    const missing = record.broker.filter((s) => s.missingNodes?.includes(last));
    expect(missing.length).toBeGreaterThan(0);
    expect(missing.at(-1)!.connections).toBe(3);
    // The run's own gaps (a loaded machine may hold the sampler up) are never for want of any node answering.
    expect(record.sampling!.gaps.filter((g) => g.reason.startsWith('no broker node answered'))).toEqual([]);
    const own = record.sampling?.nodes?.find((n) => n.node === last);
    // Its last gap names the refused scrapes; a stopping node may first answer slowly, and the reason then
    // gives that example too ("27 scrapes failed or were slow, e.g. <node> took 0.6 s ...; <node>: scrape of ... failed", CI).
    expect(own?.gaps.at(-1)?.reason).toMatch(new RegExp(`${last.replace(/[.@-]/g, '\\$&')}: scrape of http://127\\.0\\.0\\.1:\\d+/metrics failed`));
    // The connections opened counter of the total does not fall when the node leaves.
    const opened = record.broker.map((s) => s.connectionsOpened);
    expect(opened.every((v, i) => i === 0 || v >= opened[i - 1]!)).toBe(true);
  }, 90_000);
});
