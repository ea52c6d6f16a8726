// Gate limits as text, k6-threshold style: `connections.ceiling=baseline+2/unit`, `errors.rate<1%`,
// `latency.p99<800ms`, `connections.churn<5/1000`, `channels.growth<=2`, `channels.residue<=bound`,
// `channels.per-connection<=128`, `load.dropped=off`.
// Each parsed limit keeps the text it came from so the verdict can quote what the user wrote.

import { readFileSync } from 'node:fs';

export const RESOURCES = ['connections', 'channels'] as const;
export type Resource = (typeof RESOURCES)[number];

export const RULE_NAMES = [
  'connections.ceiling',
  'connections.growth',
  'connections.residue',
  'connections.churn',
  'channels.ceiling',
  'channels.per-connection',
  'channels.growth',
  'channels.residue',
  'channels.churn',
  'errors.rate',
  'latency.p99',
  'load.dropped',
  // Judged only on runs with faults on their timeline (harness/gate/chaos-*.ts).
  'chaos.answers',
  'chaos.recovery',
] as const;
export type RuleName = (typeof RULE_NAMES)[number];

export type Comparison = '<' | '<=';

interface LimitBase {
  /** The limit as written, without the rule name: `baseline+2/unit`, `<1%`. Shown in the verdict. */
  text: string;
  op: Comparison;
}
/**
 * A connection/channel count: (idle baseline, if `fromBaseline`) + perUnit x units + absolute. Residue
 * limits may start from `bound` instead: the level the gate model found held during the load (model.ts).
 */
export interface CountLimit extends LimitBase {
  kind: 'count';
  fromBaseline: boolean;
  fromBound?: true;
  perUnit: number;
  absolute: number;
}
/** Events per `per` requests, e.g. 5 connections opened per 1,000 requests; or per second (`<=1/s`). */
export interface RateLimit extends LimitBase {
  kind: 'rate';
  value: number;
  per: number;
  /** Set for `N/s`: per second of the run, for watches that do not know how many requests were served. */
  perSecond?: true;
}
/** A share of requests, as a fraction (0.01 = 1%). */
export interface ShareLimit extends LimitBase {
  kind: 'share';
  fraction: number;
}
export interface DurationLimit extends LimitBase {
  kind: 'duration';
  ms: number;
}
export type Limit = CountLimit | RateLimit | ShareLimit | DurationLimit;

type RuleLimitKind = { [R in RuleName]: R extends `${string}.ceiling` | `${string}.residue` | `${string}.growth` | 'channels.per-connection' ? CountLimit : R extends `${string}.churn` ? RateLimit : R extends 'latency.p99' | 'chaos.recovery' ? DurationLimit : ShareLimit };

/** `null` turns a rule off (written `rule=off`). */
export type GateLimits = { [R in RuleName]: RuleLimitKind[R] | null } & {
  /** Seconds a count must hold to count as a level (a shorter spike is noise). */
  holdSec: number;
  /** Abort-on-fail: seconds a ceiling must stay exceeded before the run is stopped. */
  abortAfterSec: number;
  /** Seconds after the load ends before the residue is read. */
  residueSettleSec: number;
};

export class LimitsError extends Error {
  override name = 'LimitsError';
  constructor(readonly problems: string[]) {
    super(
      `Gate limits could not be read (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        `\nWrite limits like connections.ceiling=baseline+2/unit, channels.ceiling<=8/unit, errors.rate<1%, latency.p99<800ms, ` +
        `connections.churn<5/1000, channels.growth<=2, channels.residue<=bound, or rule=off. Rules: ${RULE_NAMES.join(', ')}.`,
    );
  }
}

// RabbitMQ's guidance: long-lived connections, one for publishing and one for consuming per process,
// channels reused. So connections get a per-unit ceiling of 2; channels get none (a pool of any size
// is fine as long as it is bounded), only a sanity limit per connection. `channels.ceiling<=8/unit`
// is there for who wants a hard number.
const DEFAULT_TEXT: Record<RuleName, string> = {
  'connections.ceiling': '<=baseline+2/unit',
  'connections.growth': '<=1',
  'connections.residue': '<=bound',
  'connections.churn': '<=5/1000',
  'channels.ceiling': 'off',
  'channels.per-connection': '<=128',
  'channels.growth': '<=2',
  'channels.residue': '<=bound',
  'channels.churn': '<=5/1000',
  'errors.rate': '<1%',
  'latency.p99': '<1000ms',
  'load.dropped': '<1%',
  'chaos.answers': '<5%',
  'chaos.recovery': '<=5s',
};

export const defaultLimits: GateLimits = Object.freeze({
  ...(Object.fromEntries(RULE_NAMES.map((r) => [r, parseExpression(r, DEFAULT_TEXT[r])])) as { [R in RuleName]: RuleLimitKind[R] | null }),
  holdSec: 1,
  abortAfterSec: 5,
  residueSettleSec: 1,
});

/**
 * Merges overrides onto the defaults. Residue no longer follows the ceiling: by default it is judged
 * against the bound that held during the load (`<=bound`), whatever the ceiling says.
 */
export function withDefaults(overrides: Partial<GateLimits> = {}): GateLimits {
  return { ...defaultLimits, ...overrides };
}

/** Parses `rule<op>expression` strings, reporting every problem at once. */
export function parseLimitArgs(strings: readonly string[]): Partial<GateLimits> {
  const out: Partial<GateLimits> = {};
  const problems: string[] = [];
  for (const raw of strings) {
    const m = /^\s*([a-z]+\.[a-z0-9-]+)\s*(<=|<|==|=)?\s*(.*?)\s*$/i.exec(raw);
    if (!m || !m[2]) {
      problems.push(`"${raw}": expected <rule><op><limit>, e.g. errors.rate<1%`);
      continue;
    }
    const name = m[1]!.toLowerCase();
    try {
      setLimit(out, name, `${m[2] === '=' || m[2] === '==' ? '' : m[2]}${m[3]}`);
    } catch (err) {
      problems.push(`"${raw}": ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) throw new LimitsError(problems);
  return out;
}

/**
 * Reads limits from a JSON file: `{ "limits": { "errors.rate": "<1%", ... } }`, the same object without
 * the `limits` wrapper, or an array of `rule<op>limit` strings. `null`/`false` turn a rule off.
 */
export function loadLimitsFile(path: string): Partial<GateLimits> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new LimitsError([`${path}: ${(err as Error).message} (expected a JSON file of limits)`]);
  }
  return parseLimitsObject(json, path);
}

export function parseLimitsObject(json: unknown, where = 'limits'): Partial<GateLimits> {
  if (Array.isArray(json)) {
    const bad = json.filter((s) => typeof s !== 'string');
    if (bad.length > 0) throw new LimitsError([`${where}: an array of limits must hold only strings like "errors.rate<1%"`]);
    return parseLimitArgs(json as string[]);
  }
  if (json && typeof json === 'object' && 'limits' in json) json = (json as { limits: unknown }).limits;
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new LimitsError([`${where}: expected an object mapping rule names to limits`]);
  const out: Partial<GateLimits> = {};
  const problems: string[] = [];
  for (const [name, value] of Object.entries(json)) {
    try {
      if (value === null || value === false) setLimit(out, name, 'off');
      else if (typeof value === 'string' || typeof value === 'number') setLimit(out, name, String(value));
      else throw new Error('expected a string such as "<1%", or null to turn the rule off');
    } catch (err) {
      problems.push(`${where}: "${name}": ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) throw new LimitsError(problems);
  return out;
}

const OPTION_KEYS: Record<string, 'holdSec' | 'abortAfterSec' | 'residueSettleSec'> = {
  'gate.hold': 'holdSec',
  'abort.after': 'abortAfterSec',
  'residue.settle': 'residueSettleSec',
};

function setLimit(out: Partial<GateLimits>, name: string, text: string): void {
  const option = OPTION_KEYS[name];
  if (option) {
    const ms = parseDurationMs(text.replace(/^<=?/, ''));
    if (ms === undefined || ms < 0) throw new Error('expected a duration such as 5s or 500ms');
    out[option] = ms / 1000;
    return;
  }
  if (!(RULE_NAMES as readonly string[]).includes(name)) throw new Error(`unknown rule "${name}"`);
  const rule = name as RuleName;
  (out as Record<string, Limit | null>)[rule] = parseExpression(rule, text);
}

/** Parses the part after the rule name (`<=baseline+1/unit`, `<1%`, `off`); throws with a plain reason. */
export function parseExpression<R extends RuleName>(rule: R, written: string): RuleLimitKind[R] | null {
  const text = written.trim();
  if (/^(off|none|disabled?)$/i.test(text)) return null;
  const m = /^(<=|<)?\s*(.+)$/.exec(text)!;
  const op: Comparison = m[1] === '<' ? '<' : '<=';
  const expr = m[2]!.replace(/\s+/g, '').toLowerCase();
  const base = { text, op };
  const kind = rule.endsWith('.churn') ? 'rate' : rule === 'latency.p99' || rule === 'chaos.recovery' ? 'duration' : rule === 'errors.rate' || rule === 'load.dropped' || rule === 'chaos.answers' ? 'share' : 'count';

  if (kind === 'count') {
    const terms = expr.split('+').filter((t) => t !== '');
    if (terms.length === 0) throw new Error('expected a count such as baseline+1/unit');
    let fromBaseline = false;
    let fromBound = false;
    let perUnit = 0;
    let absolute = 0;
    for (const term of terms) {
      if (term === 'baseline') fromBaseline = true;
      else if (term === 'bound' && rule.endsWith('.residue')) fromBound = true;
      else if (/^\d+(\.\d+)?\/unit$/.test(term)) perUnit += Number(term.slice(0, -'/unit'.length));
      else if (/^\d+(\.\d+)?$/.test(term)) absolute += Number(term);
      else throw new Error(`"${term}" is not baseline, ${rule.endsWith('.residue') ? 'bound, ' : ''}a number, or a number per unit (e.g. 2/unit)`);
    }
    if (fromBaseline && rule.endsWith('.growth')) throw new Error('growth is a rise in connections, e.g. <=1 or <=1/unit; it cannot include baseline');
    if (fromBaseline && fromBound) throw new Error('a residue limit starts from baseline or from bound, not both');
    if ((fromBaseline || perUnit > 0) && rule === 'channels.per-connection') throw new Error('per-connection is a number of channels on one connection, e.g. <=128');
    return { ...base, kind, fromBaseline, perUnit, absolute, ...(fromBound ? { fromBound: true } : {}) } as RuleLimitKind[R];
  }
  if (kind === 'rate') {
    const r = /^(\d+(?:\.\d+)?)(?:\/(\d+)|(%)|\/(s))$/.exec(expr);
    if (!r) throw new Error('expected a rate per requests such as <5/1000 or <0.5%, or per second such as <=1/s');
    if (r[4]) return { ...base, kind, value: Number(r[1]), per: 1, perSecond: true } as RuleLimitKind[R];
    const per = r[3] ? 100 : Number(r[2]);
    if (!(per > 0)) throw new Error('the number of requests after / must be positive');
    return { ...base, kind, value: Number(r[1]), per } as RuleLimitKind[R];
  }
  if (kind === 'share') {
    const s = /^(\d+(?:\.\d+)?)(%)?$/.exec(expr);
    if (!s) throw new Error('expected a share such as <1% or <0.01');
    const fraction = s[2] ? Number(s[1]) / 100 : Number(s[1]);
    if (fraction > 1) throw new Error(`${expr} is more than 100%; write a percentage with %, e.g. <1%`);
    return { ...base, kind, fraction } as RuleLimitKind[R];
  }
  const ms = parseDurationMs(expr);
  if (ms === undefined) throw new Error('expected a duration such as <800ms or <1.5s');
  return { ...base, kind, ms } as RuleLimitKind[R];
}

/** `800ms`, `1.5s`, `2m`, or a bare number of milliseconds (as k6 writes them). */
export function parseDurationMs(text: string): number | undefined {
  const d = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim().toLowerCase());
  if (!d) return undefined;
  const n = Number(d[1]);
  return d[2] === 's' ? n * 1000 : d[2] === 'm' ? n * 60_000 : n;
}

/** The number a count limit allows, given the run's baseline, units and (for `bound`) the bound that held. */
export function countAllowed(limit: CountLimit, baseline: number, units: number, bound = baseline): number {
  return (limit.fromBaseline ? baseline : 0) + (limit.fromBound ? bound : 0) + limit.perUnit * units + limit.absolute;
}

export function within(value: number, op: Comparison, limit: number): boolean {
  return op === '<' ? value < limit : value <= limit;
}

/** A JSON-able view of the limits for the run record: rule -> text (or "off"). */
export function limitsAsText(limits: GateLimits): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of RULE_NAMES) out[r] = limits[r]?.text ?? 'off';
  out['gate.hold'] = `${limits.holdSec}s`;
  out['abort.after'] = `${limits.abortAfterSec}s`;
  out['residue.settle'] = `${limits.residueSettleSec}s`;
  return out;
}
