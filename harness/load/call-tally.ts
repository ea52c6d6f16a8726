// Per-call accounting: every outcome is counted under its call's name and put in one of four classes
// (accepted, refused by design, failed, no answer), per call and per wall second, so errors.rate can
// judge what failed the service's clients and the reports can show each call apart. The first few
// non-2xx answers keep their bodies (truncated, redacted): "unknown route" or "invalid field price"
// tells a user at once why a run is not testing anything.
import type { CallSummary, FirstError, LoadSecond, StatusClasses } from '../run-record.ts';
import { redactText } from '../redact.ts';
import type { Answer } from './http-pool.ts';
import { createLatencyHistogram, recordLatencyMs, summarizeLatency, type LatencyHistogram } from './latency.ts';
import { statusKey } from './status-key.ts';

/** Which answers a call counts as accepted or refused by design, besides 2xx (always accepted). */
export interface CallExpect {
  accepted: number[];
  /** Expected refusals, e.g. 409 for a duplicate. */
  refused: number[];
  /** Refusals by design only while a fault is active and when the answer carries Retry-After. */
  shed: number[];
}

export const DEFAULT_EXPECT: CallExpect = Object.freeze({ accepted: [], refused: [], shed: [503] }) as CallExpect;

/** What the tally needs to know about a call: its name, how it is shown, what it expects. */
export interface CallInfo {
  name: string;
  method: string;
  path: string;
  expect: CallExpect;
}

export type StatusClass = 'accepted' | 'refused' | 'failed';

export function classifyStatus(status: number, expect: CallExpect, answer: { faultActive: boolean; retryAfter: boolean }): StatusClass {
  if ((status >= 200 && status < 300) || expect.accepted.includes(status)) return 'accepted';
  if (expect.refused.includes(status)) return 'refused';
  if (answer.faultActive && answer.retryAfter && expect.shed.includes(status)) return 'refused';
  return 'failed';
}

export const emptyClasses = (): StatusClasses => ({ accepted: 0, refused: 0, failed: 0, noAnswer: 0 });

export interface CallTallyOptions {
  calls: readonly CallInfo[];
  /** Whether a fault is active right now (shed statuses count as refused only then). */
  faultActive?: () => boolean;
  /** Called for each of the first non-2xx answers, e.g. to log it as it happens. */
  onFirstError?: (e: FirstError) => void;
  firstErrorsMax?: number;
}

const BODY_SHOWN = 200;

class PerCall {
  sent = 0;
  dropped = 0;
  fourXx = 0;
  fiveXx = 0;
  readonly status: Record<string, number> = {};
  readonly errors: Record<string, number> = {};
  readonly classes = emptyClasses();
  readonly latency: LatencyHistogram = createLatencyHistogram();
  constructor(readonly info: CallInfo) {}
}

export class CallTally {
  private readonly byName = new Map<string, PerCall>();
  private readonly bySecond = new Map<number, StatusClasses>();
  private readonly failedBySecond = new Map<number, Record<string, number>>();
  private readonly total = emptyClasses();
  private readonly firstErrorsMax: number;
  /** (call, status) pairs already shown, so the first errors show variety rather than one answer five times. */
  private readonly shown = new Set<string>();
  readonly firstErrors: FirstError[] = [];

  constructor(private readonly opts: CallTallyOptions) {
    for (const info of opts.calls) this.byName.set(info.name, new PerCall(info));
    this.firstErrorsMax = opts.firstErrorsMax ?? 5;
  }

  private call(name: string): PerCall {
    let c = this.byName.get(name);
    if (!c) {
      c = new PerCall({ name, method: '?', path: '?', expect: DEFAULT_EXPECT });
      this.byName.set(name, c);
    }
    return c;
  }

  // The second most responses land in, kept at hand: a Map lookup per response otherwise.
  private lastT = Number.NaN;
  private lastSecond: StatusClasses | undefined;

  private second(t: number): StatusClasses {
    if (t === this.lastT && this.lastSecond) return this.lastSecond;
    let s = this.bySecond.get(t);
    if (!s) {
      s = emptyClasses();
      this.bySecond.set(t, s);
    }
    this.lastT = t;
    this.lastSecond = s;
    return s;
  }

  sent(name: string): void {
    this.call(name).sent++;
  }

  dropped(name: string): void {
    this.call(name).dropped++;
  }

  response(name: string, status: number, latencyMs: number, t: number, answer?: Answer): void {
    const c = this.call(name);
    const code = statusKey(status);
    c.status[code] = (c.status[code] ?? 0) + 1;
    if (status >= 400 && status < 500) c.fourXx++;
    else if (status >= 500) c.fiveXx++;
    recordLatencyMs(c.latency, latencyMs);
    const cls: StatusClass =
      status >= 200 && status < 300 ? 'accepted' : classifyStatus(status, c.info.expect, { faultActive: this.opts.faultActive?.() ?? false, retryAfter: answer?.retryAfter ?? false });
    c.classes[cls]++;
    this.second(t)[cls]++;
    if (cls === 'failed') {
      let f = this.failedBySecond.get(t);
      if (!f) this.failedBySecond.set(t, (f = {}));
      f[code] = (f[code] ?? 0) + 1;
    }
    this.total[cls]++;
    if (answer && this.firstErrors.length < this.firstErrorsMax && !this.shown.has(`${name} ${status}`)) {
      this.shown.add(`${name} ${status}`);
      const body = redactText(answer.body.replace(/\s+/g, ' ').trim());
      const e: FirstError = { t: Math.round(t * 10) / 10, call: name, status, body: body.length > BODY_SHOWN ? `${body.slice(0, BODY_SHOWN)}…` : body };
      this.firstErrors.push(e);
      this.opts.onFirstError?.(e);
    }
  }

  failure(name: string, kind: string, t: number): void {
    const c = this.call(name);
    c.errors[kind] = (c.errors[kind] ?? 0) + 1;
    c.classes.noAnswer++;
    this.second(t).noAnswer++;
    this.total.noAnswer++;
  }

  /** Adds the second's classes to it (once it is complete) and forgets them. */
  annotate(second: LoadSecond): void {
    if (second.t === this.lastT) this.lastSecond = undefined;
    second.classes = this.bySecond.get(second.t) ?? emptyClasses();
    second.failedStatus = this.failedBySecond.get(second.t) ?? {};
    this.bySecond.delete(second.t);
    this.failedBySecond.delete(second.t);
  }

  /** Whole-run results; call once, at the end (it frees the histograms). */
  result(): { calls: Record<string, CallSummary>; classes: StatusClasses; firstErrors: FirstError[] } {
    const calls: Record<string, CallSummary> = {};
    for (const [name, c] of this.byName) {
      calls[name] = {
        method: c.info.method,
        path: c.info.path,
        sent: c.sent,
        dropped: c.dropped,
        status: { ...c.status },
        errors: { ...c.errors },
        classes: { ...c.classes },
        fourXx: c.fourXx,
        fiveXx: c.fiveXx,
        latency: summarizeLatency(c.latency),
      };
      c.latency.destroy();
    }
    return { calls, classes: { ...this.total }, firstErrors: [...this.firstErrors] };
  }
}
