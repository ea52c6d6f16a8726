// Arrival `seq` -> the request to send. The first draw of the arrival's seeded stream picks the call by
// weight, the call's own draws follow, so a run can be replayed and its ids reconciled without storing
// them. Per-run values (env, the setup response, the day) come in once, when the source is made.
import type { CallInfo } from '../../harness/load/call-tally.ts';
import { clockToMinutes } from '../clock.ts';
import { hashSeed2, pickIndex, requestIdFor, seededStream, type Call } from '../payloads.ts';
import type { Schedule } from '../schedule.ts';
import type { BuildContext, CallDef } from './call-def.ts';

export interface CallSource {
  readonly calls: readonly CallDef[];
  /** The name of call `seq` without building it (arrivals dropped before they were made). */
  nameOf(seq: number): string;
  make(seq: number): Call;
}

export interface CallSourceOptions {
  runId: string;
  env?: Record<string, string>;
  setup?: Record<string, unknown>;
  /** UTC day (YYYY-MM-DD) that `now` and time generators fall on; today by default. */
  day?: string;
}

export type ScheduleCalls = Pick<Schedule, 'seed' | 'catalog' | 'calls' | 'perSecond' | 'clockStart' | 'minutesPerWallSec'>;

export function callInfos(calls: readonly CallDef[]): CallInfo[] {
  return calls.filter((c) => c.weight > 0).map((c) => ({ name: c.name, method: c.method, path: c.path, expect: c.expect }));
}

export function createCallSource(schedule: ScheduleCalls, opts: CallSourceOptions): CallSource {
  const calls = schedule.calls;
  const weights = calls.map((c) => c.weight);
  const day = opts.day ?? new Date().toISOString().slice(0, 10);
  const env = opts.env ?? {};
  const setup = opts.setup ?? {};
  let prefix: number[] | undefined;
  const nowOf = (seq: number): string => {
    if (!prefix) {
      prefix = [0];
      for (const s of schedule.perSecond) prefix.push((prefix.at(-1) as number) + s.scheduled);
    }
    // The second that holds arrival `seq`, and its place inside that second (arrivals are spread evenly).
    let lo = 0;
    let hi = prefix.length - 1;
    while (lo < hi - 1) {
      const mid = (lo + hi) >> 1;
      if ((prefix[mid] as number) <= seq) lo = mid;
      else hi = mid;
    }
    const n = (prefix[lo + 1] ?? seq + 1) - (prefix[lo] as number);
    const wallSec = lo + (seq - (prefix[lo] as number) + 0.5) / Math.max(1, n);
    const minutes = clockToMinutes(schedule.clockStart) + wallSec * schedule.minutesPerWallSec;
    return new Date(Date.parse(`${day}T00:00:00.000Z`) + Math.round(minutes * 60_000)).toISOString();
  };
  const pick = (u: number): CallDef => calls[pickIndex(weights, u)] as CallDef;
  // One stream and one context, refilled for each arrival: building is synchronous, and a closure and
  // an object per arrival were a measurable share of the driver's CPU at 10,000/s.
  const stream = seededStream();
  const rnd = stream.next;
  let nowSeq = 0;
  const ctx: BuildContext = { seq: 0, requestId: '', seed: schedule.seed, catalog: schedule.catalog, now: () => nowOf(nowSeq), env, setup };
  return {
    calls,
    nameOf(seq) {
      stream.reseed(hashSeed2(schedule.seed, seq));
      return pick(rnd()).name;
    },
    make(seq) {
      stream.reseed(hashSeed2(schedule.seed, seq));
      const def = pick(rnd());
      const requestId = requestIdFor(opts.runId, seq);
      ctx.seq = seq;
      ctx.requestId = requestId;
      nowSeq = seq;
      const built = def.build(rnd, ctx);
      return { name: def.name, method: def.method, requestId, path: built.path, headers: built.headers, body: built.body };
    },
  };
}
