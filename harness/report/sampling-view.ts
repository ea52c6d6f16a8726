// What the reports say about how the broker was observed: units as the broker saw them, holes in the
// sampling, and who held which connections. Computed once, for summary.md, report.html and the CLI.
import type { RunRecord } from '../run-record.ts';
import { fmtInt, fmtRate } from './format.ts';

const plural = (n: number, one: string, many: string) => `${fmtInt(n)} ${n === 1 ? one : many}`;

/** "2 units", or "1 unit measured, 2 declared" when the broker saw another count than --units. */
export function unitsText(record: RunRecord): string {
  const declared = record.target.units;
  const a = record.attribution;
  if (!a || a.unitsSource === 'declared' || a.units === declared) return plural(declared, 'unit', 'units');
  return `${plural(a.units, 'unit', 'units')} measured, ${fmtInt(declared)} declared`;
}

/** One sentence on where the unit count came from. */
export function unitsSourceText(record: RunRecord): string | undefined {
  const a = record.attribution;
  if (!a) return undefined;
  if (a.unitsSource === 'processes') return `${plural(a.units, 'unit', 'units')}: target processes that held broker connections during the load (--units ${a.declaredUnits}).`;
  if (a.unitsSource === 'connection-names') return `${plural(a.units, 'unit', 'units')}: distinct unit-<n> in connection names (--units ${a.declaredUnits}).`;
  return `${plural(a.units, 'unit', 'units')} as declared: the broker's connections could not be told apart by process or by name.`;
}

/** "190 of 200 samples due every 250 ms; 1 gap (8.2 s)". */
export function samplingText(record: RunRecord): string | undefined {
  const s = record.sampling;
  if (!s) return undefined;
  const holes = s.gaps.reduce((a, g) => a + g.seconds, 0);
  const gaps = s.gaps.length === 0 ? 'no gap' : `${plural(s.gaps.length, 'gap', 'gaps')} (${fmtRate(holes)} s without samples)`;
  return `${fmtInt(s.samples)} of ${fmtInt(s.expected)} samples due every ${fmtInt(s.intervalMs)} ms; ${gaps}`;
}

export interface GapRow {
  window: string;
  seconds: string;
  reason: string;
}

export function gapRows(record: RunRecord): GapRow[] {
  return (record.sampling?.gaps ?? []).map((g) => ({ window: `${fmtRate(g.from)}–${fmtRate(g.to)} s`, seconds: `${fmtRate(g.seconds)} s`, reason: g.reason }));
}

export function connectionRows(record: RunRecord): NonNullable<RunRecord['attribution']>['connections'] {
  return record.attribution?.connections ?? [];
}
