import { describe, expect, it } from 'vitest';
import { prometheusUrlList, prometheusUrlsOf, nodeOfAmqpUrl } from '../../harness/probe/broker-nodes.ts';
import type { BrokerCounts } from '../../harness/probe/broker-metrics.ts';
import { nodeTotals } from '../../harness/probe/node-totals.ts';

const counts = (connections: number, opened: number, closed = 0, channels = connections): BrokerCounts => ({
  connections,
  channels,
  connectionsOpened: opened,
  connectionsClosed: closed,
  channelsOpened: channels,
  channelsClosed: 0,
});
const none = { connections: 0, channels: 0 };

describe('nodeTotals: a cluster summed from its nodes', () => {
  it('adds the nodes up and keeps each one in the sample', () => {
    const sample = nodeTotals(['a', 'b', 'c'])(1, [{ node: 'a', counts: counts(1, 1) }, { node: 'b', counts: counts(2, 3, 1) }, { node: 'c', counts: counts(3, 3) }], none);
    expect(sample).toMatchObject({ t: 1, connections: 6, channels: 6, connectionsOpened: 7, connectionsClosed: 1 });
    expect(sample.nodes!.map((n) => [n.node, n.connections])).toEqual([['a', 1], ['b', 2], ['c', 3]]);
    expect(sample.missingNodes).toBeUndefined();
  });

  it("takes the harness's own connections out of the node it holds them on only", () => {
    const sample = nodeTotals(['a', 'b'], 'b')(0, [{ node: 'a', counts: counts(2, 2) }, { node: 'b', counts: counts(3, 3) }], { connections: 1, channels: 1, channelsOpened: 2, channelsClosed: 2 });
    expect(sample.nodes!.map((n) => n.connections)).toEqual([2, 2]);
    expect(sample).toMatchObject({ connections: 4, channels: 4, harnessConnections: 1, channelsOpened: 2 + 1 });
  });

  it('a node that does not answer is named and left out of the counts, but its counters keep their last reading', () => {
    const take = nodeTotals(['a', 'b']);
    take(0, [{ node: 'a', counts: counts(1, 5) }, { node: 'b', counts: counts(1, 7) }], none);
    const gap = take(1, [{ node: 'a', counts: counts(2, 6) }], none);
    expect(gap).toMatchObject({ connections: 2, connectionsOpened: 6 + 7, missingNodes: ['b'] });
    expect(gap.nodes!.map((n) => n.node)).toEqual(['a']);
  });

  it('a node that restarts (its counters back at 0) continues from where it was: the total never falls', () => {
    const take = nodeTotals(['a', 'b']);
    take(0, [{ node: 'a', counts: counts(1, 5) }, { node: 'b', counts: counts(1, 7, 2) }], none);
    const after = take(1, [{ node: 'a', counts: counts(1, 5) }, { node: 'b', counts: counts(1, 1) }], none);
    expect(after.connectionsOpened).toBe(5 + 7 + 1);
    expect(after.nodes![1]).toMatchObject({ node: 'b', connectionsOpened: 8, connectionsClosed: 2 });
  });
});

describe('node endpoints', () => {
  it('reads --prometheus-url repeated, comma-separated, or both', () => {
    expect(prometheusUrlList(['http://127.0.0.1:1, http://127.0.0.1:2', 'http://127.0.0.1:3'])).toEqual(['http://127.0.0.1:1', 'http://127.0.0.1:2', 'http://127.0.0.1:3']);
    expect(prometheusUrlList('http://127.0.0.1:1')).toEqual(['http://127.0.0.1:1']);
    expect(prometheusUrlList(undefined)).toEqual([]);
  });

  const members = [
    { name: 'rabbit@alpha', running: true, listeners: [{ protocol: 'amqp', port: 5672 }, { protocol: 'http/prometheus', port: 15692 }] },
    { name: 'rabbit@beta', running: true, listeners: [{ protocol: 'amqp', port: 5673 }, { protocol: 'http/prometheus', port: 15693 }] },
    { name: 'rabbit@gamma', running: true, listeners: [{ protocol: 'http/prometheus', ip: '127.0.0.1', port: 15694 }] },
    { name: 'rabbit@delta', running: false, listeners: [] },
    { name: 'rabbit@eps', running: true, listeners: [{ protocol: 'amqp', port: 5674 }] },
  ];

  it("derives each node's URL from its listener: the bound address, else the node name's host; the given URL kept for its node", () => {
    const { urls, skipped } = prometheusUrlsOf(members, { url: 'https://user:pw@localhost:15692', node: 'rabbit@alpha' });
    expect(urls).toEqual([
      { node: 'rabbit@alpha', url: 'https://user:pw@localhost:15692' },
      { node: 'rabbit@beta', url: 'https://user:pw@beta:15693' },
      { node: 'rabbit@gamma', url: 'https://user:pw@127.0.0.1:15694' },
    ]);
    expect(skipped).toEqual(['rabbit@delta is not running', 'rabbit@eps has no http/prometheus listener (is rabbitmq_prometheus enabled there?)']);
  });

  it('finds the node an AMQP URL is on by its listener port', () => {
    expect(nodeOfAmqpUrl(members, 'amqp://u:p@127.0.0.1:5673')).toBe('rabbit@beta');
    expect(nodeOfAmqpUrl(members, 'amqp://127.0.0.1:9999')).toBeUndefined();
  });
});

describe('run --stack external with a URL per node', () => {
  const args = (prometheus: unknown) => ({
    scenario: 'step-ladder',
    units: 1,
    stack: 'external',
    'amqp-url': 'amqp://127.0.0.1:5672',
    'management-url': 'http://127.0.0.1:15672',
    'prometheus-url': prometheus,
    'target-url': 'http://127.0.0.1:3000',
    limit: [],
  });

  it('takes --prometheus-url repeated or comma-separated; the first is the stack\'s own', async () => {
    const { runOptionsFrom } = await import('../../harness/commands/run-command.ts');
    const ext = runOptionsFrom(args(['http://127.0.0.1:15692,http://127.0.0.1:15693', 'http://127.0.0.1:15694']), '/tmp/x').external!;
    expect(ext.prometheusUrl).toBe('http://127.0.0.1:15692');
    expect(ext.prometheusUrls).toEqual(['http://127.0.0.1:15692', 'http://127.0.0.1:15693', 'http://127.0.0.1:15694']);
    expect(runOptionsFrom(args('http://127.0.0.1:15692'), '/tmp/x').external!.prometheusUrls).toBeUndefined();
  });

  it('checks every node URL like the first: a remote one is refused without --allow-remote-target', async () => {
    const { runOptionsFrom } = await import('../../harness/commands/run-command.ts');
    expect(() => runOptionsFrom(args('http://127.0.0.1:15692,http://10.0.0.2:15692'), '/tmp/x')).toThrow(/non-loopback address \(Prometheus endpoint http:\/\/10\.0\.0\.2:15692\)/);
  });
});
