// The pure halves of connection attribution: /proc text -> sockets and processes, and connection-list
// snapshots -> units and the named-connections table.
import { describe, expect, it } from 'vitest';
import { groupName, summariseAttribution, type AttributionSnapshot } from '../../harness/probe/attribution-summary.ts';
import { parseProcNetTcp, parseProcStat, processTree, socketInode, type ProcessInfo } from '../../harness/probe/proc-sockets.ts';

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:8839 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 79392 1 0000000041db21ca 100 0 0 10 0
   1: 0100007F:C350 0100007F:1628 01 00000000:00000000 00:00000000 00000000  1000        0 81234 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:1628 0100007F:C350 01 00000000:00000000 00:00000000 00000000   107        0 81235 1 0000000000000000 20 4 30 10 -1
garbage line
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0000000000000000FFFF00000100007F:D431 0000000000000000FFFF00000100007F:1628 01 00000000:00000000 00:00000000 00000000  1000        0 90001 1 0000000000000000 20 4 30 10 -1
`;

describe('/proc parsing', () => {
  it('reads local port, remote port and inode from tcp and tcp6 tables', () => {
    expect(parseProcNetTcp(TCP)).toEqual([
      { localPort: 0x8839, remotePort: 0, inode: 79392 },
      { localPort: 50000, remotePort: 5672, inode: 81234 },
      { localPort: 5672, remotePort: 50000, inode: 81235 },
    ]);
    expect(parseProcNetTcp(TCP6)).toEqual([{ localPort: 54321, remotePort: 5672, inode: 90001 }]);
  });

  it('reads socket inodes from fd links and nothing else', () => {
    expect(socketInode('socket:[81234]')).toBe(81234);
    expect(socketInode('pipe:[81234]')).toBeUndefined();
    expect(socketInode('/dev/null')).toBeUndefined();
  });

  it('reads pid, parent and a name with spaces and parentheses from stat', () => {
    expect(parseProcStat('4242 (node) S 4240 4240 3936 0 -1 4194304 124 0')).toEqual({ pid: 4242, ppid: 4240, comm: 'node' });
    expect(parseProcStat('77 (my (odd) name) R 1 77 77 0')).toEqual({ pid: 77, ppid: 1, comm: 'my (odd) name' });
    expect(parseProcStat('nonsense')).toBeUndefined();
  });

  it('finds the process tree under a root, grandchildren included', () => {
    const all: ProcessInfo[] = [
      { pid: 1, ppid: 0, comm: 'init' },
      { pid: 10, ppid: 1, comm: 'sh' },
      { pid: 11, ppid: 10, comm: 'node' },
      { pid: 12, ppid: 11, comm: 'node' },
      { pid: 20, ppid: 1, comm: 'other' },
    ];
    expect([...processTree(all, 10).keys()].sort()).toEqual([10, 11, 12]);
    expect(processTree(all, 99).size).toBe(0);
  });
});

const ctx = (processes: ProcessInfo[] = []) => ({ declaredUnits: 2, loadEndSec: 10, processes: new Map(processes.map((p) => [p.pid, p])) });

describe('summariseAttribution', () => {
  it('counts one unit for a single process that ignores UNITS=2, with its named connections', () => {
    const snaps: AttributionSnapshot[] = [
      { t: -2, groups: [{ name: 'svc-consumer', pid: 11, count: 1 }] },
      { t: 3, groups: [{ name: 'svc-consumer', pid: 11, count: 1 }, { name: 'svc-publisher', pid: 11, count: 2 }] },
      { t: 13, groups: [{ name: 'svc-consumer', pid: 11, count: 1 }, { name: 'svc-publisher', pid: 11, count: 1 }] },
    ];
    const a = summariseAttribution(snaps, ctx([{ pid: 10, ppid: 1, comm: 'sh' }, { pid: 11, ppid: 10, comm: 'node' }]));
    expect(a).toEqual({
      declaredUnits: 2,
      units: 1,
      unitsSource: 'processes',
      connections: [
        { name: 'svc-publisher', unit: 'pid 11 (node)', baseline: 0, peak: 2, end: 1 },
        { name: 'svc-consumer', unit: 'pid 11 (node)', baseline: 1, peak: 1, end: 1 },
      ],
    });
  });

  it('does not count a parent whose children hold connections as a unit (a cluster primary and its consumer)', () => {
    const procs = [{ pid: 10, ppid: 1, comm: 'node' }, { pid: 11, ppid: 10, comm: 'node' }, { pid: 12, ppid: 10, comm: 'node' }];
    const snaps: AttributionSnapshot[] = [
      { t: 5, groups: [{ name: 'ingest-consumer', pid: 10, count: 1 }, { name: 'ingest-unit-1', pid: 11, count: 1 }, { name: 'ingest-unit-2', pid: 12, count: 1 }] },
    ];
    const a = summariseAttribution(snaps, ctx(procs));
    expect(a.units).toBe(2);
    expect(a.connections.find((r) => r.name === 'ingest-consumer')!.unit).toBe('pid 10 (node, parent)');
  });

  it('falls back to the unit in connection names, then to the declared units', () => {
    const named: AttributionSnapshot[] = [{ t: 1, groups: [{ name: groupName('ingest-unit-1#17'), count: 40 }, { name: groupName('ingest-unit-3#2'), count: 38 }, { name: 'ingest-consumer', count: 1 }] }];
    const a = summariseAttribution(named, ctx());
    expect(a.unitsSource).toBe('connection-names');
    expect(a.units).toBe(2);
    expect(a.connections.map((r) => [r.name, r.unit, r.peak])).toEqual([
      ['ingest-unit-1#*', 'unit-1', 40],
      ['ingest-unit-3#*', 'unit-3', 38],
      ['ingest-consumer', '(no unit in name)', 1],
    ]);
    const anonymous = summariseAttribution([{ t: 1, groups: [{ name: groupName(undefined), count: 3 }] }], ctx());
    expect(anonymous).toMatchObject({ units: 2, unitsSource: 'declared', connections: [{ name: '(unnamed)', unit: '(not attributed)', peak: 3 }] });
  });

  it('keeps the table short when every connection has its own name', () => {
    const groups = Array.from({ length: 50 }, (_, i) => ({ name: `conn-${i}-x`, count: 1 }));
    const a = summariseAttribution([{ t: 1, groups }], ctx());
    expect(a.connections).toHaveLength(30);
    expect(a.connections.at(-1)).toMatchObject({ name: '(21 more names)', peak: 21 });
  });
});
