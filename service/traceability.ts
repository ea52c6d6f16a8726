// Each accepted call creates a traceability event before it is published (as the incident's service
// did); the consumer marks it processed. Events whose publish failed stay "waiting" — the outage's
// residue that a run reports. A `withdrawn` event is one the service itself knew never reached the
// broker (the shared publisher's 503s), so it is not left waiting.

export type TraceStatus = 'waiting' | 'processed' | 'withdrawn';

export interface TraceCounts {
  /** Distinct request ids recorded before publishing. */
  accepted: number;
  /** Distinct request ids the consumer processed. */
  processed: number;
  /** Accepted, neither processed nor withdrawn. */
  waiting: number;
  withdrawn: number;
  /** Deliveries of an id already processed (redeliveries after a reconnect, client retries). */
  duplicates: number;
  /** Up to 20 ids still waiting, oldest first, for reports. */
  waitingSample: string[];
}

export class TraceStore {
  private readonly status = new Map<string, TraceStatus>();
  private readonly waiting = new Set<string>();
  private acceptedCount = 0;
  private processedCount = 0;
  private withdrawnCount = 0;
  private duplicateCount = 0;

  accepted(id: string): void {
    if (this.status.has(id)) return;
    this.acceptedCount++;
    this.status.set(id, 'waiting');
    this.waiting.add(id);
  }

  /** The message may arrive before the worker's "accepted" note (IPC and AMQP race): processed wins. */
  processed(id: string): void {
    const before = this.status.get(id);
    if (before === 'processed') {
      this.duplicateCount++;
      return;
    }
    if (before === undefined) this.acceptedCount++;
    if (before === 'withdrawn') this.withdrawnCount--;
    this.processedCount++;
    this.status.set(id, 'processed');
    this.waiting.delete(id);
  }

  withdrawn(id: string): void {
    if (this.status.get(id) !== 'waiting') return;
    this.withdrawnCount++;
    this.status.set(id, 'withdrawn');
    this.waiting.delete(id);
  }

  counts(): TraceCounts {
    const waitingSample: string[] = [];
    for (const id of this.waiting) {
      if (waitingSample.length >= 20) break;
      waitingSample.push(id);
    }
    return {
      accepted: this.acceptedCount,
      processed: this.processedCount,
      waiting: this.waiting.size,
      withdrawn: this.withdrawnCount,
      duplicates: this.duplicateCount,
      waitingSample,
    };
  }
}
