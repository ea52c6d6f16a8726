// What every human-readable report says about a run, computed once from the record so the Markdown,
// HTML and comparison pages cannot disagree.
import type { RunRecord } from '../run-record.ts';
import { sampleAt, sortedSamples } from './broker-series.ts';
import { fmtCounts, fmtInt, fmtMs, fmtPercent, fmtRate, fmtSeconds, statusClassTotal, sumValues } from './format.ts';
import { samplingText, unitsText } from './sampling-view.ts';

export function verdictWord(record: RunRecord): 'PASSED' | 'FAILED' {
  return record.verdict.passed ? 'PASSED' : 'FAILED';
}

/** "reference service, publisher leaky, 2 units" — who was under test, in words. */
export function describeTarget(record: RunRecord): string {
  const t = record.target;
  const what = t.kind === 'reference' ? 'reference service' : t.kind === 'command' ? 'service command' : 'external service';
  const parts = [what];
  if (t.publisher) parts.push(`publisher ${t.publisher}`);
  parts.push(unitsText(record));
  return parts.join(', ');
}

export function describeStack(record: RunRecord): string {
  const max = connectionMax(record);
  const broker = record.stack.kind === 'external' ? 'external RabbitMQ' : `${record.stack.kind} RabbitMQ`;
  return max === undefined ? broker : `${broker}, connection_max ${fmtInt(max)}`;
}

export function connectionMax(record: RunRecord): number | undefined {
  return record.summary.broker.connectionMax ?? record.stack.connectionMax;
}

export function failedRules(record: RunRecord): number {
  return record.verdict.rules.filter((r) => !r.passed).length;
}

/** One line under the headline: "3 of 8 rules failed." or "All 8 rules passed." */
export function verdictLine(record: RunRecord): string {
  const total = record.verdict.rules.length;
  const failed = failedRules(record);
  if (total === 0) return record.verdict.passed ? 'No rules were evaluated.' : 'The gate failed without a rule result.';
  const warnings = record.verdict.rules.filter((r) => r.warning && r.passed).length;
  if (failed === 0) return `All ${total} rules passed${warnings > 0 ? `, ${warnings} with a warning` : ''}.`;
  return `${failed} of ${total} rules failed.`;
}

export interface KeyNumber {
  label: string;
  value: string;
}

export function keyNumbers(record: RunRecord): KeyNumber[] {
  const s = record.summary;
  const b = s.broker;
  const errors = sumValues(s.errors);
  const fiveXx = statusClassTotal(s.status, '5');
  const max = connectionMax(record);
  const rows: KeyNumber[] = [
    {
      label: 'Requests',
      value: `${fmtInt(s.requests)} sent of ${fmtInt(s.scheduled)} scheduled in ${fmtSeconds(s.durationSec)} (${fmtRate(s.achievedRps)} req/s achieved)`,
    },
    { label: 'Dropped', value: `${fmtInt(s.dropped)} (${fmtPercent(s.dropped, s.scheduled)} of scheduled; in-flight limit reached)` },
    { label: 'Status codes', value: fmtCounts(s.status) },
    { label: '5xx', value: `${fmtInt(fiveXx)} (${fmtPercent(fiveXx, s.requests)} of requests)` },
    { label: 'No response', value: errors === 0 ? 'none' : `${fmtInt(errors)} (${fmtCounts(s.errors)})` },
    {
      label: 'Latency',
      value: `p50 ${fmtMs(s.latency.p50)} · p90 ${fmtMs(s.latency.p90)} · p99 ${fmtMs(s.latency.p99)} · max ${fmtMs(s.latency.max)} · mean ${fmtMs(s.latency.mean)}`,
    },
    {
      label: 'Broker connections',
      value: `baseline ${fmtInt(b.baselineConnections)} → peak ${fmtInt(b.peakConnections)} → final ${fmtInt(b.finalConnections)}`,
    },
    {
      label: 'Broker channels',
      value: `baseline ${fmtInt(b.baselineChannels)} → peak ${fmtInt(b.peakChannels)} → final ${fmtInt(b.finalChannels)}`,
    },
    { label: 'Connections opened / closed', value: `${fmtInt(b.connectionsOpened)} / ${fmtInt(b.connectionsClosed)}` },
    { label: 'connection_max', value: max === undefined ? 'not set' : fmtInt(max) },
  ];
  const sampling = samplingText(record);
  if (sampling) rows.push({ label: 'Broker samples', value: sampling });
  return rows;
}

/** The reconciliation tap's findings, in words; undefined when no exchange was tapped. */
export function integrityNumbers(record: RunRecord): KeyNumber[] | undefined {
  const i = record.integrity;
  if (!i) return undefined;
  const samples = (ids: string[]) => (ids.length > 0 ? ` — e.g. ${ids.slice(0, 3).join(', ')}` : '');
  const rows: KeyNumber[] = [
    { label: 'Reached the broker', value: `${fmtInt(i.arrived)} of ${fmtInt(i.sent)} request ids, on exchange ${i.exchange}` },
    { label: 'Acknowledged but lost', value: `${fmtInt(i.acknowledgedButLost.count)} of ${fmtInt(i.acknowledged)} 2xx never reached the broker${samples(i.acknowledgedButLost.samples)}` },
    {
      label: 'Refused but published',
      value: `${fmtInt(i.refusedButPublished.count)} requests answered with an error (or not at all) were published anyway` +
        (i.refusedButPublished.count > 0 ? ` (${fmtCounts(i.refusedButPublished.byClass)})` : ''),
    },
    { label: 'Duplicates', value: `${fmtInt(i.duplicates.count)} ids arrived more than once (${fmtInt(i.duplicates.extraMessages)} extra messages)` },
  ];
  if (i.unsolicited.count > 0) rows.push({ label: 'Unsolicited', value: `${fmtInt(i.unsolicited.count)} ids reached the broker that the driver never reported sending` });
  if (i.foreign.count > 0) rows.push({ label: 'Foreign messages', value: `${fmtInt(i.foreign.count)} messages without an id of this run (${fmtInt(i.foreign.withoutId)} without any id)` });
  if (i.worker) {
    rows.push({
      label: 'Traceability (worker)',
      value: `${fmtInt(i.worker.accepted)} accepted, ${fmtInt(i.worker.processed)} processed, ${fmtInt(i.worker.waiting)} left waiting` +
        (i.worker.withdrawn === undefined ? '' : `, ${fmtInt(i.worker.withdrawn)} withdrawn`),
    });
  }
  if (i.untracked) rows.push({ label: 'Not reconciled', value: `${fmtInt(i.untracked)} requests beyond the tap's capacity were not checked` });
  if (i.tapBoundLate) {
    rows.push({
      label: 'Tap bound late',
      value: `at ${fmtRate(i.tapBoundLate.atSec)} s, when the exchange appeared; ${fmtInt(i.notReconciled ?? 0)} 2xx answered before that were not reconciled (not counted lost)`,
    });
  }
  if (i.tapInterrupted) rows.push({ label: 'Tap interrupted', value: `at ${i.tapInterrupted.atIso}: ${i.tapInterrupted.reason}; messages after that were not seen` });
  return rows;
}

export interface PhaseRow {
  name: string;
  kind: string;
  clock: string;
  startSec: number;
  endSec: number;
  /** The schedule as written: "40" or "40 → 120". */
  offered: string;
  /** Requests sent per second, the same definition as summary.achievedRps. */
  achievedRps: number;
  requests: number;
  fiveXx: number;
  /** Requests with no HTTP status (timeouts, resets, refused). */
  errors: number;
  dropped: number;
  connectionsAtEnd: number | null;
  /** Phases named peak* are the incident windows the charts shade. */
  incident: boolean;
}

export function isIncidentPhase(name: string): boolean {
  return /^peak/i.test(name);
}

export function phaseRows(record: RunRecord): PhaseRow[] {
  const samples = sortedSamples(record);
  return record.scenario.phases.map((phase) => {
    // Prefer the driver's own labels; fall back to the phase's wall window if it used other names.
    let seconds = record.load.filter((sec) => sec.phase === phase.name);
    if (seconds.length === 0) seconds = record.load.filter((sec) => sec.t >= phase.startSec && sec.t < phase.endSec);
    let requests = 0;
    let fiveXx = 0;
    let errors = 0;
    let dropped = 0;
    for (const sec of seconds) {
      requests += sec.sent;
      fiveXx += statusClassTotal(sec.status, '5');
      errors += sumValues(sec.errors);
      dropped += sec.dropped;
    }
    const span = seconds.length > 0 ? seconds.length : Math.max(phase.endSec - phase.startSec, 0);
    const atEnd = sampleAt(samples, phase.endSec);
    return {
      name: phase.name,
      kind: phase.kind,
      clock: phase.clockStart,
      startSec: phase.startSec,
      endSec: phase.endSec,
      offered: phase.fromRps === phase.toRps ? fmtRate(phase.fromRps) : `${fmtRate(phase.fromRps)} → ${fmtRate(phase.toRps)}`,
      achievedRps: span > 0 ? requests / span : 0,
      requests,
      fiveXx,
      errors,
      dropped,
      connectionsAtEnd: atEnd ? atEnd.connections : null,
      incident: isIncidentPhase(phase.name),
    };
  });
}

/** The clock label for a wall second: the scenario clock inside the load, offsets outside it. */
export function clockAt(record: RunRecord, t: number): string {
  const sec = Math.floor(t);
  const load = record.load;
  if (load.length === 0) return `${fmtRate(t)}s`;
  const first = load[0]!.t;
  const last = load[load.length - 1]!.t;
  if (sec < first) return `${fmtRate(t - first)}s`;
  if (sec > last) return `+${fmtRate(t - last - 1)}s`;
  const hit = load[sec - first];
  if (hit && hit.t === sec) return hit.clock;
  return load.find((s) => s.t === sec)?.clock ?? `${fmtRate(t)}s`;
}
