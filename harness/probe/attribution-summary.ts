// Turns the connection-list snapshots of a run into RunRecord.attribution: how many units the broker
// actually saw, and a table of named connections per unit (count at the idle baseline, peak, end).
// Pure, so it can be tested on made-up snapshots.
import type { AttributionInfo } from '../run-record.ts';
import type { ProcessInfo } from './proc-sockets.ts';

/** Target connections at one poll, grouped by client name and owning process (when it was found). */
export interface AttributionSnapshot {
  t: number;
  groups: Array<{ name: string; pid?: number; count: number }>;
}

export interface AttributionContext {
  declaredUnits: number;
  loadEndSec: number;
  /** Every process of the target seen while polling (for names and parent links). */
  processes: ReadonlyMap<number, ProcessInfo>;
  /**
   * The connections open before load start, by when the broker accepted them. The list itself lags the
   * broker by up to its statistics interval (5 s), so a poll during a short baseline may not show them yet.
   */
  baseline?: AttributionSnapshot['groups'];
}

const MAX_ROWS = 30;
const UNIT_IN_NAME = /unit[-_ #:]?(\d+)/i;

/** A client name as shown: a trailing per-connection counter (`ingest-unit-1#37`) becomes `#*`. */
export function groupName(connectionName: string | undefined): string {
  if (!connectionName) return '(unnamed)';
  return connectionName.replace(/([#:])\d+$/, '$1*');
}

export function summariseAttribution(snapshots: readonly AttributionSnapshot[], ctx: AttributionContext): AttributionInfo {
  const during = snapshots.filter((s) => s.t >= 0 && s.t <= ctx.loadEndSec);
  const window = during.some((s) => s.groups.length > 0) ? during : snapshots;
  const holders = new Set(window.flatMap((s) => s.groups.flatMap((g) => (g.pid === undefined ? [] : [g.pid]))));
  const base = { declaredUnits: ctx.declaredUnits };

  if (holders.size > 0) {
    // A process whose children also hold connections supervises them (a cluster primary with its
    // consumer): its connections are shown, but it is not one more unit.
    const supervisors = new Set([...holders].filter((pid) => [...holders].some((other) => other !== pid && isAncestor(ctx.processes, pid, other))));
    const label = (pid: number | undefined) => {
      if (pid === undefined) return '(process not found)';
      const comm = ctx.processes.get(pid)?.comm;
      return `pid ${pid}${comm ? ` (${comm}${supervisors.has(pid) ? ', parent' : ''})` : supervisors.has(pid) ? ' (parent)' : ''}`;
    };
    return { ...base, units: Math.max(1, holders.size - supervisors.size), unitsSource: 'processes', connections: table(snapshots, (g) => label(g.pid), ctx.baseline) };
  }
  const named = new Set(window.flatMap((s) => s.groups.flatMap((g) => unitInName(g.name) ?? [])));
  if (named.size > 0) {
    return { ...base, units: named.size, unitsSource: 'connection-names', connections: table(snapshots, (g) => unitInName(g.name) ?? '(no unit in name)', ctx.baseline) };
  }
  return { ...base, units: ctx.declaredUnits, unitsSource: 'declared', connections: table(snapshots, () => '(not attributed)', ctx.baseline) };
}

function unitInName(name: string): string | undefined {
  const m = UNIT_IN_NAME.exec(name);
  return m ? `unit-${Number(m[1])}` : undefined;
}

function isAncestor(processes: ReadonlyMap<number, ProcessInfo>, ancestor: number, pid: number): boolean {
  for (let p = processes.get(pid), hops = 0; p && hops < 64; p = processes.get(p.ppid), hops++) {
    if (p.ppid === ancestor) return true;
  }
  return false;
}

type Row = AttributionInfo['connections'][number];

function table(snapshots: readonly AttributionSnapshot[], unitOf: (g: { name: string; pid?: number }) => string, baseline?: AttributionSnapshot['groups']): Row[] {
  const countsOf = (groups: AttributionSnapshot['groups']) => {
    const counts = new Map<string, number>();
    for (const g of groups) {
      const key = JSON.stringify([g.name, unitOf(g)]);
      counts.set(key, (counts.get(key) ?? 0) + g.count);
    }
    return counts;
  };
  const perSnapshot = snapshots.map((s) => ({ t: s.t, counts: countsOf(s.groups) }));
  const baselineAt = baseline ? { t: -1, counts: countsOf(baseline) } : (perSnapshot.filter((s) => s.t < 0).at(-1) ?? perSnapshot[0]);
  const keys = new Set([...perSnapshot.flatMap((s) => [...s.counts.keys()]), ...(baselineAt ? baselineAt.counts.keys() : [])]);
  const last = perSnapshot.at(-1);
  const rows: Row[] = [...keys].map((key) => {
    const [name, unit] = JSON.parse(key) as [string, string];
    return {
      name,
      unit,
      baseline: baselineAt?.counts.get(key) ?? 0,
      peak: Math.max(baselineAt?.counts.get(key) ?? 0, ...perSnapshot.map((s) => s.counts.get(key) ?? 0)),
      end: last?.counts.get(key) ?? 0,
    };
  });
  rows.sort((a, b) => b.peak - a.peak || a.name.localeCompare(b.name) || a.unit.localeCompare(b.unit));
  if (rows.length <= MAX_ROWS) return rows;
  const rest = rows.slice(MAX_ROWS - 1);
  const others = { name: `(${rest.length} more names)`, unit: '', baseline: sum(rest, 'baseline'), peak: sum(rest, 'peak'), end: sum(rest, 'end') };
  return [...rows.slice(0, MAX_ROWS - 1), others];
}

function sum(rows: Row[], k: 'baseline' | 'peak' | 'end'): number {
  return rows.reduce((a, r) => a + r[k], 0);
}
