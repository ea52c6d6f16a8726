// Per-second counters. Sent and dropped belong to the second the schedule put the arrival in (so
// sent + dropped == scheduled holds exactly; lateness shows as latency instead); responses, errors and
// latency belong to the wall second they happened in.
import type { LoadSecond } from '../run-record.ts';
import { createLatencyHistogram, recordLatencyMs, summarizeLatency, type LatencyHistogram } from './latency.ts';
import { statusKey } from './status-key.ts';

export class SecondTally {
  sent = 0;
  dropped = 0;
  completed = 0;
  readonly status: Record<string, number> = {};
  readonly errors: Record<string, number> = {};
  private histogram: LatencyHistogram | undefined;

  recordResponse(status: number, latencyMs: number): void {
    this.completed++;
    const code = statusKey(status);
    this.status[code] = (this.status[code] ?? 0) + 1;
    this.histogram ??= createLatencyHistogram();
    recordLatencyMs(this.histogram, latencyMs);
  }

  recordError(kind: string): void {
    this.errors[kind] = (this.errors[kind] ?? 0) + 1;
  }

  /**
   * The second as the run record keeps it. With `addTo`, its latencies are added to that histogram:
   * the whole run's latency is the sum of its seconds, so each response is recorded once, not twice.
   */
  toLoadSecond(meta: { t: number; clock: string; phase: string; scheduled: number }, addTo?: LatencyHistogram): LoadSecond {
    const latency = this.histogram ? summarizeLatency(this.histogram) : { p50: 0, p90: 0, p99: 0, max: 0 };
    if (addTo && this.histogram) addTo.add(this.histogram);
    this.histogram?.destroy();
    this.histogram = undefined;
    return {
      ...meta,
      sent: this.sent,
      completed: this.completed,
      dropped: this.dropped,
      status: { ...this.status },
      errors: { ...this.errors },
      latency,
    };
  }
}
