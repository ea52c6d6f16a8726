// The run record of a `rushgate watch`: the same shape as a run's, so reports and `rushgate gate` work on
// it, with no load seconds and a single phase of kind `watch` that tells the gate the load was unknown.
import { cpus, hostname } from 'node:os';
import { RUN_RECORD_SCHEMA_VERSION, type BrokerSample, type RunRecord, type TimelineEvent } from '../run-record.ts';
import { TOOL_VERSION } from '../version.ts';
import { summariseBroker } from './build-record.ts';

export const WATCH_PHASE_KIND = 'watch';

export function isWatchRecord(record: Pick<RunRecord, 'scenario'>): boolean {
  return record.scenario.phases.some((p) => p.kind === WATCH_PHASE_KIND);
}

/** A run record for a watch: the broker timeline, no load seconds, one phase of kind `watch`. */
export function watchRecord(p: { startedAt: Date; endedAt: Date; durationSec: number; broker: BrokerSample[]; events: TimelineEvent[]; units: number; description: string }): RunRecord {
  const durationSec = round(p.durationSec);
  return {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    tool: { name: 'rushgate', version: TOOL_VERSION },
    startedAt: p.startedAt.toISOString(),
    endedAt: p.endedAt.toISOString(),
    scenario: {
      name: 'watch',
      description: p.description,
      wallDurationSec: durationSec,
      peakRps: 0,
      seed: 0,
      phases: [{ name: 'watch', kind: WATCH_PHASE_KIND, startSec: 0, endSec: durationSec, fromRps: 0, toRps: 0, clockStart: '00:00' }],
    },
    target: { kind: 'external', units: p.units, url: 'n/a (load not driven by rushgate)' },
    stack: { kind: 'external' },
    limits: {},
    environment: { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: cpus().length, hostname: hostname() },
    load: [],
    broker: p.broker,
    events: [...p.events].sort((a, b) => a.t - b.t),
    summary: {
      requests: 0,
      scheduled: 0,
      dropped: 0,
      status: {},
      errors: {},
      latency: { p50: 0, p90: 0, p99: 0, max: 0, mean: 0 },
      achievedRps: 0,
      durationSec,
      broker: summariseBroker(p.broker),
    },
    verdict: { passed: false, rules: [] },
  };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
