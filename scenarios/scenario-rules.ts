// Cross-field rules a scenario must satisfy. They read the raw input defensively (any field may be
// missing or mistyped, the structural pass reports that) so that every problem surfaces in one run.
import { clockToMinutes, minutesToClock } from './clock.ts';

/** Phase name the load driver uses for the seconds after the timeline while in-flight requests drain. */
export const DRAIN_PHASE = 'drain';
/** The target contract accepts batches of 1..1000 items. */
export const MAX_BATCH_ITEMS = 1000;

type Raw = Record<string, unknown>;

const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function phaseLabel(phases: unknown, i: number): string {
  const p = Array.isArray(phases) ? phases[i] : undefined;
  return isObj(p) && typeof p.name === 'string' ? `phases[${i}] "${p.name}"` : `phases[${i}]`;
}

export function scenarioRuleProblems(input: unknown): string[] {
  if (!isObj(input)) return [];
  return [...timelineProblems(input), ...rateProblems(input), ...mixProblems(input.mix)];
}

function timelineProblems(s: Raw): string[] {
  const problems: string[] = [];
  if (!Array.isArray(s.phases)) return problems;
  const seen = new Map<string, number>();
  // Minutes since the scenario's midnight; becomes NaN once a phase's length is unknown, which
  // silences later `until` checks rather than reporting errors caused by an earlier one.
  let clock = typeof s.clockStart === 'string' ? clockToMinutes(s.clockStart) : Number.NaN;
  s.phases.forEach((p, i) => {
    if (!isObj(p)) return;
    const label = phaseLabel(s.phases, i);
    if (typeof p.name === 'string') {
      const first = seen.get(p.name);
      if (first !== undefined) problems.push(`${label}: name is also used by phases[${first}]; phase names must be unique`);
      else seen.set(p.name, i);
      if (p.name === DRAIN_PHASE) problems.push(`${label}: "${DRAIN_PHASE}" is reserved for the seconds after the timeline; rename the phase`);
    }
    const hasMinutes = p.minutes !== undefined;
    const hasUntil = p.until !== undefined;
    if (hasMinutes && hasUntil) {
      problems.push(`${label}: give either "minutes" or "until", not both`);
      clock = Number.NaN;
    } else if (!hasMinutes && !hasUntil) {
      problems.push(`${label}: missing its length; add "minutes: <number>" or "until: "HH:MM""`);
      clock = Number.NaN;
    } else if (hasMinutes) {
      clock = isNum(p.minutes) && p.minutes > 0 ? clock + p.minutes : Number.NaN;
    } else {
      const until = typeof p.until === 'string' ? clockToMinutes(p.until) : Number.NaN;
      if (Number.isNaN(until)) clock = Number.NaN;
      else if (!Number.isNaN(clock) && until <= clock) {
        problems.push(
          `${label}: until ${p.until} is not after the phase's start ${minutesToClock(clock)}; ` +
            'phases run in order (use "minutes" for timelines that cross midnight)',
        );
        clock = Number.NaN;
      } else clock = until;
    }
  });
  return problems;
}

function rateProblems(s: Raw): string[] {
  const problems: string[] = [];
  if (!Array.isArray(s.phases)) return problems;
  const peak = isNum(s.peakRps) && s.peakRps > 0 ? s.peakRps : undefined;
  let anyLoad = false;
  s.phases.forEach((p, i) => {
    if (!isObj(p)) return;
    for (const key of ['rps', 'fromRps', 'toRps'] as const) {
      const v = p[key];
      if (!isNum(v)) continue;
      if (v > 0 && p.kind !== 'pause') anyLoad = true;
      if (peak !== undefined && v > peak) {
        problems.push(`${phaseLabel(s.phases, i)}: ${key} ${v} is above peakRps ${peak}; raise peakRps or lower the rate`);
      }
    }
  });
  const allPhasesReadable = s.phases.every((p) => isObj(p) && typeof p.kind === 'string');
  if (!anyLoad && allPhasesReadable && s.phases.length > 0) {
    problems.push('phases: no phase has a rate above 0, so the scenario would send no requests');
  }
  return problems;
}

function mixProblems(mix: unknown): string[] {
  const problems: string[] = [];
  if (!isObj(mix)) return problems;
  let total = 0;
  let readable = true;
  for (const kind of ['item-put', 'items-batch', 'matchings']) {
    const entry = mix[kind];
    if (entry === undefined) continue;
    if (!isObj(entry) || !isNum(entry.weight)) {
      readable = false;
      continue;
    }
    total += Math.max(0, entry.weight);
    const range = kind === 'items-batch' ? entry.items : kind === 'matchings' ? entry.pairs : undefined;
    if (isObj(range) && isNum(range.min) && isNum(range.max)) {
      const key = kind === 'items-batch' ? 'items' : 'pairs';
      if (range.min > range.max) problems.push(`mix.${kind}.${key}: min ${range.min} is above max ${range.max}`);
      if (range.max > MAX_BATCH_ITEMS) {
        problems.push(`mix.${kind}.${key}: max ${range.max} is above the contract's limit of ${MAX_BATCH_ITEMS} per call`);
      }
    }
  }
  if (readable && total <= 0) problems.push('mix: every weight is 0 (or no kind is listed); give at least one call kind a weight above 0');
  return problems;
}
