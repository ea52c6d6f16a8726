// Gate rules over the reconciliation: the promise "a 2xx means it reached the broker" (limit 0 by
// default), and the two side effects worth showing — refused calls that were published anyway, and
// duplicate publishes — which are warnings (`warn:`, not failing) unless the user sets a limit.
import type { IntegrityReport, RuleResult } from '../run-record.ts';

export interface IntegrityLimits {
  /** Acknowledged-but-lost requests allowed; default 0. */
  lost?: number;
  /** Refused-but-published requests allowed; unset = shown, never failing. */
  refusedPublished?: number;
  /** Ids published more than once allowed; unset = shown, never failing. */
  duplicates?: number;
}

const SHOWN_IDS = 5;
const intFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const fmt = (n: number) => intFormat.format(n);
const fmt1 = (n: number) => n.toFixed(1);
const plural = (n: number, one: string, many: string) => `${fmt(n)} ${n === 1 ? one : many}`;

export function integrityRules(report: IntegrityReport, limits: IntegrityLimits = {}): RuleResult[] {
  return [lostRule(report, limits.lost ?? 0), refusedPublishedRule(report, limits.refusedPublished), duplicatesRule(report, limits.duplicates)];
}

function lostRule(report: IntegrityReport, limit: number): RuleResult {
  const lost = report.acknowledgedButLost.count;
  const base = { name: 'integrity.lost', limit: `<= ${fmt(limit)} acknowledged but lost`, value: `${fmt(lost)} lost` };
  if (report.tapInterrupted) {
    return {
      ...base,
      passed: false,
      value: `${fmt(lost)} lost (inconclusive)`,
      message:
        `The verification tap lost its broker connection at ${report.tapInterrupted.atIso} (${report.tapInterrupted.reason}), ` +
        'so messages published after that were never seen and lost writes cannot be ruled out.',
    };
  }
  const late = report.tapBoundLate
    ? ` The tap was bound only at ${fmt1(report.tapBoundLate.atSec)} s, when the target declared exchange "${report.exchange}"` +
      (report.notReconciled ? `: ${plural(report.notReconciled, 'request', 'requests')} answered 2xx before that could not be reconciled (not counted lost).` : '.')
    : '';
  if (report.acknowledged === 0) {
    return { ...base, passed: true, message: 'No request got a 2xx, so none could be lost after it was acknowledged.' };
  }
  const passed = lost <= limit;
  if (lost === 0) {
    const unchecked = report.untracked ? ` (${plural(report.untracked, 'request', 'requests')} past the tap's capacity were not checked)` : '';
    const checked = report.acknowledged - (report.notReconciled ?? 0);
    return { ...base, passed, message: `Every one of the ${fmt(checked)} requests that got a 2xx ${late ? 'after the tap was bound ' : ''}reached the broker${unchecked}.${late}` };
  }
  const ids = examples(report.acknowledgedButLost.samples, lost);
  let message = `${plural(lost, 'request', 'requests')} got 2xx but never reached the broker (${ids})`;
  if (report.arrived === 0 && report.messages === 0) {
    message +=
      `; the tap saw no message at all on exchange "${report.exchange}" with binding "${report.routingKey}" — ` +
      'check that the target publishes there and sets each message\'s messageId to the X-Request-Id';
  }
  if (report.untracked) {
    message += `; ${plural(report.untracked, 'request', 'requests')} past the tap's capacity were not checked`;
  }
  if (report.drain && !report.drain.quiet && !(report.arrived === 0 && report.messages === 0)) {
    message += `; messages were still arriving when the tap stopped waiting after ${fmt(report.drain.timeoutMs)} ms, so some may only be late`;
  }
  return { ...base, passed, message: `${message}.${late}` };
}

function refusedPublishedRule(report: IntegrityReport, limit: number | undefined): RuleResult {
  const { count, byClass } = report.refusedButPublished;
  const notAcknowledged = report.refused + report.noResponse;
  const passed = limit === undefined || count <= limit;
  const base = {
    name: 'integrity.refused-published',
    passed,
    limit: limit === undefined ? 'shown, no limit' : `<= ${fmt(limit)} refused but published`,
    value: count === 0 ? '0' : `${fmt(count)} (${Object.entries(byClass).sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k}: ${fmt(n)}`).join(', ')})`,
  };
  if (count === 0) {
    const message =
      notAcknowledged === 0
        ? 'Every request was acknowledged, so none was refused and published anyway.'
        : `None of the ${fmt(notAcknowledged)} refused or unanswered requests reached the broker.`;
    return { ...base, message };
  }
  return {
    ...base,
    ...(limit === undefined ? { warning: true as const } : {}),
    message:
      `${plural(count, 'request was', 'requests were')} refused or unanswered yet still reached the broker ` +
      `(${examples(report.refusedButPublished.samples.map((s) => `${s.id} ${s.outcome}`), count)}); ` +
      'clients will retry them, so they are processed twice or left waiting.',
  };
}

function duplicatesRule(report: IntegrityReport, limit: number | undefined): RuleResult {
  const { count, extraMessages } = report.duplicates;
  const passed = limit === undefined || count <= limit;
  const base = {
    name: 'integrity.duplicates',
    passed,
    limit: limit === undefined ? 'shown, no limit' : `<= ${fmt(limit)} ids published more than once`,
    value: count === 0 ? '0' : `${plural(count, 'id', 'ids')}, ${fmt(extraMessages)} extra`,
  };
  if (count === 0) return { ...base, message: 'No request id reached the broker more than once.' };
  return {
    ...base,
    ...(limit === undefined ? { warning: true as const } : {}),
    message:
      `${plural(count, 'request id was', 'request ids were')} published more than once ` +
      `(${fmt(extraMessages)} extra ${extraMessages === 1 ? 'copy' : 'copies'}, e.g. ` +
      `${report.duplicates.samples.slice(0, SHOWN_IDS).map((s) => `${s.id} x${s.copies}`).join(', ')}).`,
  };
}

/** "e.g. ab12-77, ab12-88, ..." — a few ids, with an ellipsis when there are more than shown. */
function examples(samples: string[], total: number): string {
  const shown = samples.slice(0, SHOWN_IDS);
  return `e.g. ${shown.join(', ')}${total > shown.length ? ', ...' : ''}`;
}
