// Writes a scenario as a k6 script (TypeScript, typed with @types/k6) so the same burst can run on k6
// or k6-operator when one machine cannot generate it. The timeline becomes ramping-arrival-rate
// stages; maxVUs plays the in-flight limit (k6 drops an iteration when no VU is free, as the driver
// drops an arrival); the call mix, ids and body shapes follow scenarios/payloads.ts, and the
// thresholds mirror the gate's error, latency and dropped limits.
import { defaultLimits, type GateLimits } from '../gate/limits.ts';
import type { Scenario } from '../../scenarios/define-scenario.ts';
import { resolveSchedule, type Schedule } from '../../scenarios/schedule.ts';
import { DEFAULT_IN_FLIGHT_LIMIT } from '../load/driver.ts';
import { BRANDS, CURRENCIES, PRODUCTS, SIZES } from '../../scenarios/payloads.ts';
import { K6_PRNG, USER_CALLS_RUNTIME, userCallsPreamble } from './user-calls-runtime.ts';

/** k6 runs a .ts script as it is from this version on (earlier: --compatibility-mode=experimental_enhanced, from v0.52). */
export const K6_TS_VERSION = 'v0.57';

/** What the scenario has that a k6 script cannot carry, said in the script instead of dropped silently. */
export function k6Caveats(schedule: Schedule): string[] {
  const out: string[] = [];
  for (const f of schedule.faults) out.push(`fault ${f.spec.fault} at ${schedule.clockAt(f.atSec)} (${f.atSec.toFixed(1)} s): k6 cannot inject broker faults; not carried`);
  if (schedule.calls.some((c) => c.spec && (JSON.stringify(c.spec).includes('${now}') || Object.values(c.spec.vars ?? {}).some((v) => v.kind === 'time')))) {
    out.push('`now` and time vars: k6 writes its wall clock, not the scenario clock');
  }
  for (const c of schedule.calls) if (typeof c.spec?.body === 'function') out.push(`call ${c.name}: its body function cannot run in k6 (source below); it sends no body`);
  out.push('the broker rules (connections, channels, churn, integrity): k6 sees only HTTP; run `rushgate watch` beside it');
  return out;
}

export interface K6Stage {
  target: number;
  duration: string;
}

export interface K6Timeline {
  timeUnit: '1s' | '1m';
  startRate: number;
  stages: K6Stage[];
  /** Per stage, the phase it comes from ("peak-1 from 07:45"), for comments in the script. */
  notes: string[];
}

export interface K6ExportOptions {
  /** Applied when a scenario (not a schedule) is given. */
  durationSec?: number;
  peakRps?: number;
  /** Most concurrent iterations (k6 maxVUs); the driver's in-flight limit. */
  inFlightLimit?: number;
  limits?: GateLimits;
}

/**
 * The schedule's phases as arrival-rate stages. A phase that starts at a different rate than the last
 * one ended at gets a 0 s stage (an instant jump); stage ends are rounded to whole milliseconds on the
 * cumulative clock so rounding never drifts. Fractional rates switch the unit to per-minute.
 */
export function k6Timeline(schedule: Schedule): K6Timeline {
  const rates = schedule.phases.flatMap((p) => [p.fromRps, p.toRps]);
  const perMinute = rates.some((r) => Math.abs(r - Math.round(r)) > 1e-9);
  const target = (rps: number) => Math.round(perMinute ? rps * 60 : rps);
  const first = schedule.phases[0];
  const startRate = first ? target(first.fromRps) : 0;
  const stages: K6Stage[] = [];
  const notes: string[] = [];
  let rate = startRate;
  let endMs = 0;
  for (const p of schedule.phases) {
    if (target(p.fromRps) !== rate) {
      stages.push({ target: target(p.fromRps), duration: '0s' });
      notes.push(`jump into ${p.name}`);
    }
    const phaseEndMs = Math.round(p.endSec * 1000);
    stages.push({ target: target(p.toRps), duration: `${phaseEndMs - endMs}ms` });
    notes.push(`${p.name} (${p.kind}) from ${p.clockStart}`);
    endMs = phaseEndMs;
    rate = target(p.toRps);
  }
  return { timeUnit: perMinute ? '1m' : '1s', startRate, stages, notes };
}

/** k6 threshold expressions for the gate's errors.rate, latency.p99 and load.dropped limits. */
export function k6Thresholds(limits: GateLimits, scheduledTotal: number): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const errors = limits['errors.rate'];
  if (errors) out.http_req_failed = [`rate${errors.op}${errors.fraction}`];
  const p99 = limits['latency.p99'];
  if (p99) out.http_req_duration = [`p(99)${p99.op}${p99.ms}`];
  const dropped = limits['load.dropped'];
  if (dropped) out.dropped_iterations = [`count${dropped.op}${Math.max(dropped.op === '<' ? 1 : 0, Math.floor(dropped.fraction * scheduledTotal))}`];
  return out;
}

const STAGES_MARK = '@@stages@@';

/** One stage per line with the phase it plays, so the script reads like the scenario. */
function stagesText(t: K6Timeline): string {
  const lines = t.stages.map((s, i) => `        { target: ${s.target}, duration: '${s.duration}' }, // ${t.notes[i] ?? ''}`);
  return `[\n${lines.join('\n')}\n      ]`;
}

export function exportK6Script(source: Schedule | Scenario, opts: K6ExportOptions = {}): string {
  const schedule = 'perSecond' in source ? source : resolveSchedule(source, { durationSec: opts.durationSec, peakRps: opts.peakRps });
  const timeline = k6Timeline(schedule);
  const maxVUs = opts.inFlightLimit ?? DEFAULT_IN_FLIGHT_LIMIT;
  const peak = Math.max(0, ...schedule.phases.map((p) => Math.max(p.fromRps, p.toRps)));
  const options = {
    scenarios: {
      [schedule.scenario]: {
        executor: 'ramping-arrival-rate',
        timeUnit: timeline.timeUnit,
        startRate: timeline.startRate,
        preAllocatedVUs: Math.min(maxVUs, Math.max(10, Math.ceil(peak / 10))),
        maxVUs,
        stages: STAGES_MARK,
        gracefulStop: '10s',
      },
    },
    thresholds: k6Thresholds(opts.limits ?? defaultLimits, schedule.total),
  };
  const mix = (['item-put', 'items-batch', 'matchings'] as const).map((kind) => ({ kind, weight: schedule.mix[kind].weight }));
  const user = schedule.calls.some((c) => c.spec !== undefined);
  const lines = [
    `// Generated by rushgate from scenario "${schedule.scenario}" (${schedule.wallDurationSec} s, peak ${schedule.peakRps} req/s, seed ${schedule.seed}).`,
    `// ${schedule.description}`,
    `// Run (k6 ${K6_TS_VERSION} or later runs .ts as it is): k6 run -e TARGET_URL=http://host:port -e RUN_ID=myrun this-file.ts`,
    '// For the broker rules, watch the broker while k6 runs, in a second terminal:',
    `//   rushgate watch --prometheus-url http://broker:15692 --management-url http://user:pass@broker:15672 --duration ${Math.ceil(schedule.wallDurationSec + 15)}s`,
    '// Not carried by this script:',
    ...k6Caveats(schedule).map((c) => `//   - ${c}`),
    "import http from 'k6/http';",
    "import { check } from 'k6';",
    "import exec from 'k6/execution';",
    "import type { Options } from 'k6/options';",
    '',
    `export const options: Options = ${JSON.stringify(options, null, 2).replace(`"${STAGES_MARK}"`, stagesText(timeline))};`,
    '',
    "const TARGET_URL: string = (__ENV.TARGET_URL || 'http://127.0.0.1:8080').replace(/\\/+$/, '');",
    "const RUN_ID: string = __ENV.RUN_ID || 'k6';",
    `const SEED = ${schedule.seed};`,
    ...(user ? [...userCallsPreamble(schedule.calls, schedule.requestIdHeader, schedule.setup, schedule.catalog), '', K6_PRNG, USER_CALLS_RUNTIME] : referenceLines(schedule, mix)),
  ];
  return lines.join('\n');
}

function referenceLines(schedule: Schedule, mix: Array<{ kind: string; weight: number }>): string[] {
  return [
    `const MIX: Array<{ kind: 'item-put' | 'items-batch' | 'matchings'; weight: number }> = ${JSON.stringify(mix)};`,
    `const BATCH_ITEMS = ${JSON.stringify(schedule.mix['items-batch'].items)};`,
    `const MATCHING_PAIRS = ${JSON.stringify(schedule.mix.matchings.pairs)};`,
    `const CATALOG = ${JSON.stringify(schedule.catalog)};`,
    `const CURRENCIES = ${JSON.stringify(CURRENCIES)};`,
    `const BRANDS = ${JSON.stringify(BRANDS)};`,
    `const PRODUCTS = ${JSON.stringify(PRODUCTS)};`,
    `const SIZES = ${JSON.stringify(SIZES)};`,
    `const EXPECTED: number[] = ${JSON.stringify([...new Set([...schedule.expect.accepted, ...schedule.expect.refused])])};`,
    '',
    K6_PRNG,
    K6_RUNTIME,
  ];
}

// The script's own code: a port of scenarios/payloads.ts (same per-call PRNG streams, same draws in
// the same order, same key order), so call "seq" of a k6 run sends the body rushgate would send.
// test/k6/export.test.ts runs it against makeCall() to keep the two in step.
const K6_RUNTIME = String.raw`// Like the gate: 2xx and the statuses the scenario expects are not failures; any other 4xx or 5xx is.
http.setResponseCallback(http.expectedStatuses({ min: 200, max: 299 }, ...EXPECTED));

function int(rnd: () => number, min: number, max: number): number {
  return min + Math.floor(rnd() * (max - min + 1));
}

function pickKind(u: number): 'item-put' | 'items-batch' | 'matchings' {
  const total = MIX.reduce((sum, m) => sum + m.weight, 0);
  let x = u * total;
  let last = (MIX[0] as (typeof MIX)[number]).kind;
  for (const m of MIX) {
    if (m.weight <= 0) continue;
    if (x < m.weight) return m.kind;
    x -= m.weight;
    last = m.kind;
  }
  return last;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

const pick = <T>(list: T[], u: number): T => list[Math.floor(u * list.length)] as T;

function ean13(rnd: () => number): string {
  let digits = '40';
  for (let i = 0; i < 10; i++) digits += String(Math.floor(rnd() * 10));
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(digits[i]) * (i % 2 === 0 ? 1 : 3);
  return digits + String((10 - (sum % 10)) % 10);
}

interface Item { id: string; name: string; ean: string; price: number; currency: string; stock: number; promoPrice?: number }

function item(storeIdx: number, itemIdx: number, rnd: () => number): Item {
  const fixed = mulberry32(hashSeed(SEED, 0x51ce, itemIdx));
  const name = pick(BRANDS, fixed()) + ' ' + pick(PRODUCTS, fixed()) + ' ' + pick(SIZES, fixed());
  const base = 0.29 + fixed() * 30;
  const out: Item = { id: 'sku-' + pad(itemIdx, 8), name, ean: ean13(fixed), price: 0, currency: CURRENCIES[hashSeed(SEED, storeIdx) % CURRENCIES.length] as string, stock: 0 };
  out.price = Math.round(base * (0.8 + rnd() * 0.4) * 100) / 100;
  out.stock = int(rnd, 0, 400);
  if (rnd() < 0.1) out.promoPrice = Math.round(out.price * 80) / 100;
  return out;
}

export default function (): void {
  const seq = exec.scenario.iterationInTest;
  const rnd = mulberry32(hashSeed(SEED, seq));
  const kind = pickKind(rnd());
  const storeIdx = int(rnd, 0, CATALOG.stores - 1);
  const base = TARGET_URL + '/api/v1/stores/store-' + pad(storeIdx, 5);
  const params = { headers: { 'Content-Type': 'application/json', 'X-Request-Id': RUN_ID + '-' + seq }, tags: { name: kind } };
  let res;
  if (kind === 'item-put') {
    const body = item(storeIdx, int(rnd, 0, CATALOG.itemsPerStore - 1), rnd);
    res = http.put(base + '/items/' + body.id, JSON.stringify(body), params);
  } else if (kind === 'items-batch') {
    const n = int(rnd, BATCH_ITEMS.min, BATCH_ITEMS.max);
    const items = [];
    for (let i = 0; i < n; i++) items.push(item(storeIdx, int(rnd, 0, CATALOG.itemsPerStore - 1), rnd));
    res = http.post(base + '/items', JSON.stringify(items), params);
  } else {
    const n = int(rnd, MATCHING_PAIRS.min, MATCHING_PAIRS.max);
    const pairs = [];
    for (let i = 0; i < n; i++) {
      pairs.push({ labelId: 'lbl-' + storeIdx + '-' + pad(int(rnd, 0, 999999), 6), itemId: 'sku-' + pad(int(rnd, 0, CATALOG.itemsPerStore - 1), 8) });
    }
    res = http.post(base + '/matchings', JSON.stringify(pairs), params);
  }
  check(res, { 'accepted (2xx)': (r) => r.status >= 200 && r.status < 300 });
}
`;
