// Per-request bookkeeping for reconciliation, indexed by sequence number instead of by id string:
// a run's ids are `${runId}-${seq}`, so one byte of arrivals and two bytes of outcome per request are
// enough (1M requests ~ 3 MB), where a Set of strings would cost ~100 bytes each. The arrays are kept
// in pages of PAGE_SIZE requests allocated as sequence numbers reach them: growing never copies, and
// memory is 3 bytes per request seen, never a doubled array.
import type { IntegrityReport } from '../run-record.ts';
import { parseRequestId, requestIdFor } from '../../scenarios/payloads.ts';

export const SAMPLE_LIMIT = 20;
/** Above this sequence number an id is treated as foreign rather than grow the arrays without bound. */
export const DEFAULT_MAX_SEQ = 1 << 24;

// Outcome codes in one Uint16 per request: 0 = nothing recorded, 1..999 = HTTP status,
// NO_RESPONSE_BASE + k = no answer of kind NO_RESPONSE_KINDS[k].
const NO_RESPONSE_BASE = 1000;
/** Flag bit on an outcome: answered before the tap was bound, so its message could not be seen. */
const BEFORE_TAP = 0x8000;
const NO_RESPONSE_KINDS = ['timeout', 'reset', 'refused', 'other'] as const;
const MAX_FOREIGN_ID_CHARS = 200;

export interface IdLedgerOptions {
  runId: string;
  /** Kept for callers that size the ledger; pages are allocated on demand whatever it says. */
  expectedRequests?: number;
  maxSeq?: number;
}

const PAGE_BITS = 18;
const PAGE_SIZE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SIZE - 1;
const EMPTY_ARRIVALS = new Uint8Array(0);
const EMPTY_OUTCOMES = new Uint16Array(0);

export class IdLedger {
  readonly runId: string;
  private readonly maxSeq: number;
  private readonly arrivalPages: Uint8Array[] = [];
  private readonly outcomePages: Uint16Array[] = [];
  /** One past the highest sequence number seen, in either array. */
  private extent = 0;
  private messageCount = 0;
  private foreignCount = 0;
  private withoutIdCount = 0;
  private untrackedCount = 0;
  private readonly foreignSamples: string[] = [];

  constructor(opts: IdLedgerOptions) {
    if (!opts.runId || parseRequestId(requestIdFor(opts.runId, 0))?.runId !== opts.runId) {
      throw new Error(`run id "${opts.runId}" cannot be told apart in request ids; use letters and digits`);
    }
    this.runId = opts.runId;
    this.maxSeq = opts.maxSeq ?? DEFAULT_MAX_SEQ;
  }

  private arrivalsAt(seq: number): number {
    return (this.arrivalPages[seq >>> PAGE_BITS] ?? EMPTY_ARRIVALS)[seq & PAGE_MASK] ?? 0;
  }

  private outcomeAt(seq: number): number {
    return (this.outcomePages[seq >>> PAGE_BITS] ?? EMPTY_OUTCOMES)[seq & PAGE_MASK] ?? 0;
  }

  /** A message seen on the exchange; `messageId` is its AMQP messageId property, if any. */
  recordMessage(messageId: unknown): void {
    this.messageCount++;
    if (typeof messageId !== 'string' || messageId === '') {
      this.foreignCount++;
      this.withoutIdCount++;
      return;
    }
    const parsed = parseRequestId(messageId);
    if (!parsed || parsed.runId !== this.runId || parsed.seq >= this.maxSeq) {
      this.foreignCount++;
      if (this.foreignSamples.length < SAMPLE_LIMIT) this.foreignSamples.push(messageId.slice(0, MAX_FOREIGN_ID_CHARS));
      return;
    }
    this.ensure(parsed.seq);
    const page = this.arrivalPages[parsed.seq >>> PAGE_BITS] as Uint8Array;
    const at = parsed.seq & PAGE_MASK;
    if ((page[at] as number) < 255) page[at] = (page[at] as number) + 1;
  }

  /**
   * A message the broker delivers again after the tap lost its connection before acking it: not a
   * duplicate when its id was already counted (the first delivery was seen, only the ack was lost).
   */
  recordRedelivery(messageId: unknown): void {
    if (typeof messageId === 'string') {
      const parsed = parseRequestId(messageId);
      if (parsed && parsed.runId === this.runId && parsed.seq < this.maxSeq && this.arrivalsAt(parsed.seq) > 0) {
        this.messageCount++;
        return;
      }
    }
    this.recordMessage(messageId);
  }

  /**
   * The driver's view of request `seq`: its HTTP status, or 0 with the kind of failure when none came.
   * `beforeTap`: answered before the tap was bound; a 2xx whose id was not seen is then not reconciled
   * rather than lost, since its message may have been published before anyone listened.
   */
  recordOutcome(seq: number, status: number, errorKind?: string, beforeTap = false): void {
    if (!Number.isInteger(seq) || seq < 0) throw new RangeError(`request sequence number ${seq} is not a whole number >= 0`);
    // A very long soak can outrun the arrays' cap; count it rather than throw inside the driver.
    if (seq >= this.maxSeq) {
      this.untrackedCount++;
      return;
    }
    this.ensure(seq);
    (this.outcomePages[seq >>> PAGE_BITS] as Uint16Array)[seq & PAGE_MASK] = encodeOutcome(status, errorKind) | (beforeTap ? BEFORE_TAP : 0);
  }

  messages(): number {
    return this.messageCount;
  }

  /** Approximate bytes held by the per-request arrays. */
  bytes(): number {
    let n = 0;
    for (const page of this.arrivalPages) n += page?.byteLength ?? 0;
    for (const page of this.outcomePages) n += page?.byteLength ?? 0;
    return n;
  }

  reconcile(context: { exchange: string; routingKey: string }): IntegrityReport {
    const report: IntegrityReport = {
      runId: this.runId,
      exchange: context.exchange,
      routingKey: context.routingKey,
      sent: 0,
      acknowledged: 0,
      refused: 0,
      noResponse: 0,
      arrived: 0,
      messages: this.messageCount,
      acknowledgedButLost: { count: 0, samples: [] },
      refusedButPublished: { count: 0, byClass: {}, samples: [] },
      duplicates: { count: 0, extraMessages: 0, samples: [] },
      unsolicited: { count: 0, samples: [] },
      foreign: { count: this.foreignCount, withoutId: this.withoutIdCount, samples: [...this.foreignSamples] },
    };
    if (this.untrackedCount > 0) report.untracked = this.untrackedCount;
    const id = (seq: number) => requestIdFor(this.runId, seq);
    let notReconciled = 0;
    for (let seq = 0; seq < this.extent; seq++) {
      const raw = this.outcomeAt(seq);
      const code = raw & ~BEFORE_TAP;
      const copies = this.arrivalsAt(seq);
      if (copies > 0) report.arrived++;
      if (copies > 1) {
        report.duplicates.count++;
        report.duplicates.extraMessages += copies - 1;
        if (report.duplicates.samples.length < SAMPLE_LIMIT) report.duplicates.samples.push({ id: id(seq), copies });
      }
      if (code === 0) {
        if (copies > 0) {
          report.unsolicited.count++;
          if (report.unsolicited.samples.length < SAMPLE_LIMIT) report.unsolicited.samples.push(id(seq));
        }
        continue;
      }
      report.sent++;
      if (code >= 200 && code < 300) {
        report.acknowledged++;
        if (copies === 0 && raw & BEFORE_TAP) notReconciled++;
        else if (copies === 0) {
          report.acknowledgedButLost.count++;
          if (report.acknowledgedButLost.samples.length < SAMPLE_LIMIT) report.acknowledgedButLost.samples.push(id(seq));
        }
        continue;
      }
      if (code >= NO_RESPONSE_BASE) report.noResponse++;
      else report.refused++;
      if (copies > 0) {
        const outcome = describeOutcome(code);
        const cls = code >= NO_RESPONSE_BASE ? outcome : `${Math.floor(code / 100)}xx`;
        report.refusedButPublished.count++;
        report.refusedButPublished.byClass[cls] = (report.refusedButPublished.byClass[cls] ?? 0) + 1;
        if (report.refusedButPublished.samples.length < SAMPLE_LIMIT) report.refusedButPublished.samples.push({ id: id(seq), outcome });
      }
    }
    if (notReconciled > 0) report.notReconciled = notReconciled;
    return report;
  }

  private ensure(seq: number): void {
    const p = seq >>> PAGE_BITS;
    if (!this.arrivalPages[p]) {
      this.arrivalPages[p] = new Uint8Array(PAGE_SIZE);
      this.outcomePages[p] = new Uint16Array(PAGE_SIZE);
    }
    if (seq >= this.extent) this.extent = seq + 1;
  }
}

function encodeOutcome(status: number, errorKind?: string): number {
  if (Number.isInteger(status) && status >= 1 && status < NO_RESPONSE_BASE) return status;
  const k = NO_RESPONSE_KINDS.indexOf((errorKind ?? 'other') as (typeof NO_RESPONSE_KINDS)[number]);
  return NO_RESPONSE_BASE + (k < 0 ? NO_RESPONSE_KINDS.length - 1 : k);
}

/** "503", or the no-response kind ("timeout", ...), as shown next to sample ids. */
function describeOutcome(code: number): string {
  return code >= NO_RESPONSE_BASE ? (NO_RESPONSE_KINDS[code - NO_RESPONSE_BASE] ?? 'other') : String(code);
}
