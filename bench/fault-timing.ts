// Benchmark (not a test): how close faults land to the timeline under the eu-morning peak. The reference
// `shared` service runs a shortened eu-morning peak (one scenario minute per wall second) with 20 faults
// (memory and disk alarms in turn, every 2 s, 1 s each) twice: fault actions through rabbitmqctl (one
// Erlang VM boot per action, the old path) and through the run's control node (the new one). For each
// fault: start error = when the action returned (the alarm in force) minus when it was scheduled; end
// error = when the revert returned minus the scheduled end. Goal (issue 16): start within 250 ms, length
// within 10%.
//   node --import tsx bench/fault-timing.ts [--peak-rps 400] [--only channel|rabbitmqctl]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { run } from '../harness/api.ts';
import type { RunRecord } from '../harness/run-record.ts';
import { defineScenario } from '../scenarios/define-scenario.ts';
import type { ScenarioSpec } from '../scenarios/scenario-schema.ts';

export const FAULTS = 20;
const FOR_SEC = 1;

function clockAt(minutes: number): string {
  const m = 7 * 60 + 40 + minutes;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/** eu-morning's first peak, shortened: 07:40-08:30 in 50 s, with the faults from 07:46 on. */
export function faultTimingScenario(peakRps: number) {
  const chaos = Array.from({ length: FAULTS }, (_, i) => ({
    at: clockAt(6 + i * 2),
    fault: i % 2 === 0 ? ('memory-alarm' as const) : ('disk-alarm' as const),
    for: `${FOR_SEC}s`,
  }));
  const spec = {
    name: 'fault-timing',
    description: 'eu-morning peak, shortened, with 20 alarms every 2 s (fault-timing benchmark)',
    clockStart: '07:40',
    defaultDurationSec: 50,
    peakRps,
    seed: 16,
    mix: {
      'item-put': { weight: 60 },
      'items-batch': { weight: 15, items: { min: 10, max: 500 } },
      matchings: { weight: 25, pairs: { min: 1, max: 50 } },
    },
    phases: [
      { kind: 'ramp', name: 'opening-ramp', until: '07:45', fromRps: Math.round(peakRps * 0.55), toRps: peakRps },
      { kind: 'constant-rate', name: 'peak-1', until: '08:30', rps: peakRps },
    ],
    chaos,
  } satisfies ScenarioSpec;
  return defineScenario(spec);
}

export interface FaultTiming {
  path: 'rabbitmqctl' | 'channel';
  /** Per fault, milliseconds: action returned minus scheduled start; revert returned minus scheduled end. */
  startErrorMs: number[];
  endErrorMs: number[];
  /** Per fault: actual length (revert returned minus action returned) over the scheduled length, minus 1. */
  lengthError: number[];
  /** Per action (injections and reverts), milliseconds: how late it began, and how long it took. */
  beganLateMs: number[];
  tookMs: number[];
  /** Faults whose injection or revert failed, or ended after the load; the first few reasons. */
  failed: number;
  why: string[];
  loadAverage: string;
}

/** Scheduled vs actual times of each fault in a run record (faults matched by faultId). */
export function faultTimesOf(record: RunRecord): Omit<FaultTiming, 'path' | 'loadAverage'> {
  const out = { startErrorMs: [] as number[], endErrorMs: [] as number[], lengthError: [] as number[], beganLateMs: [] as number[], tookMs: [] as number[], failed: 0, why: [] as string[] };
  const byId = new Map<number, { start?: RunRecord['events'][number]; end?: RunRecord['events'][number] }>();
  for (const e of record.events) {
    if (e.faultId === undefined || (e.kind !== 'fault-start' && e.kind !== 'fault-end')) continue;
    const entry = byId.get(e.faultId) ?? {};
    entry[e.kind === 'fault-start' ? 'start' : 'end'] = e;
    byId.set(e.faultId, entry);
  }
  for (const { start, end } of byId.values()) {
    if (!start || start.error || !end || end.scheduledSec === undefined || start.scheduledSec === undefined) {
      out.failed++;
      // A failed injection still says how long the action took to fail.
      if (start?.actionStartSec !== undefined && start.actionEndSec !== undefined) out.tookMs.push((start.actionEndSec - start.actionStartSec) * 1000);
      const why = start?.error ?? (end ? 'reverted only when the load ended' : 'never reverted');
      if (out.why.length < 3 && !out.why.includes(why)) out.why.push(why);
      continue;
    }
    for (const e of [start, end]) {
      if (e.actionStartSec === undefined || e.actionEndSec === undefined || e.scheduledSec === undefined) continue;
      out.beganLateMs.push((e.actionStartSec - e.scheduledSec) * 1000);
      out.tookMs.push((e.actionEndSec - e.actionStartSec) * 1000);
    }
    const inForce = start.actionEndSec ?? start.t;
    const over = end.actionEndSec ?? end.t;
    out.startErrorMs.push((inForce - start.scheduledSec) * 1000);
    out.endErrorMs.push((over - end.scheduledSec) * 1000);
    const scheduledLength = end.scheduledSec - start.scheduledSec;
    out.lengthError.push((over - inForce) / scheduledLength - 1);
  }
  return out;
}

export async function runFaultTiming(path: FaultTiming['path'], peakRps: number): Promise<FaultTiming> {
  const before = process.env.RUSHGATE_FAULT_CONTROL;
  process.env.RUSHGATE_FAULT_CONTROL = path === 'rabbitmqctl' ? 'rabbitmqctl' : 'channel';
  try {
    const record = await run({ scenario: faultTimingScenario(peakRps), stack: 'local', publisher: 'shared', units: 2, cooldownSec: 1 });
    const loadAverage = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    return { path, ...faultTimesOf(record), loadAverage };
  } finally {
    if (before === undefined) delete process.env.RUSHGATE_FAULT_CONTROL;
    else process.env.RUSHGATE_FAULT_CONTROL = before;
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const worst = (xs: number[]) => xs.reduce((w, x) => (Math.abs(x) > Math.abs(w) ? x : w), 0);
const fmtMs = (x: number) => (Number.isNaN(x) ? '-' : `${x >= 0 ? '+' : ''}${Math.round(x)} ms`);
const fmtPct = (x: number) => (Number.isNaN(x) ? '-' : `${x >= 0 ? '+' : ''}${Math.round(x * 100)}%`);

export function faultTimingLines(results: FaultTiming[], peakRps: number): string[] {
  const lines = [
    `fault timing: ${FAULTS} alarms (${FOR_SEC} s each, every 2 s) under a shortened eu-morning peak at ${peakRps} req/s, shared service, 2 units`,
    '| path | faults timed | start error median | start error worst | end error median | end error worst | length error median | length error worst | load average after |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const n = r.startErrorMs.length;
    lines.push(
      `| ${r.path === 'channel' ? 'control node (new)' : 'rabbitmqctl (old)'} | ${n} of ${n + r.failed} | ${fmtMs(median(r.startErrorMs))} | ${fmtMs(worst(r.startErrorMs))} | ${fmtMs(median(r.endErrorMs))} | ${fmtMs(worst(r.endErrorMs))} | ${fmtPct(median(r.lengthError))} | ${fmtPct(worst(r.lengthError))} | ${r.loadAverage} |`,
    );
  }
  for (const r of results) {
    if (r.why.length > 0) lines.push(`${r.path}: ${r.failed} faults not timed: ${r.why.join('; ')}`);
    lines.push(`${r.path}: actions began late by median ${fmtMs(median(r.beganLateMs))} (worst ${fmtMs(worst(r.beganLateMs))}) and took median ${fmtMs(median(r.tookMs))} (worst ${fmtMs(worst(r.tookMs))})`);
  }
  lines.push('start error: the action returned (fault in force) minus its scheduled time; end error: the revert returned minus the scheduled end. Goal: start within 250 ms, length within 10%.');
  return lines;
}

export async function runFaultTimingBench(peakRps = 400, paths: FaultTiming['path'][] = ['rabbitmqctl', 'channel']): Promise<FaultTiming[]> {
  const results: FaultTiming[] = [];
  for (const path of paths) results.push(await runFaultTiming(path, peakRps));
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { 'peak-rps': { type: 'string', default: '400' }, only: { type: 'string' } } });
  const peakRps = Number(values['peak-rps']);
  const paths = values.only ? [values.only as FaultTiming['path']] : undefined;
  for (const line of faultTimingLines(await runFaultTimingBench(peakRps, paths), peakRps)) console.log(line);
  process.exit(0);
}
