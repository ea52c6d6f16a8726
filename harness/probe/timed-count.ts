// A running count that can be read as of a moment in the recent past. The broker sampler takes the
// harness's own channel opens and closes out of the broker's counters; it must take out those the broker
// had counted when it was asked, not those done by the time its answer was handled. On a loaded machine
// that answer is handled up to a second later, and a tap looking for a late exchange opens and closes
// a channel every 100 ms meanwhile: read "now", the reading before the load lost them, the one after
// did not, and a healthy target was charged with the tap's channels as churn (4 in a CI run).
import { wallMs } from './run-clock.ts';

/** How far back a reading is exact: far longer than a scrape may take (its timeout is seconds). */
const KEEP_MS = 60_000;

export class TimedCount {
  /** Events older than KEEP_MS: only counted, so a long run keeps a minute of times, not all of them. */
  private older = 0;
  /** Wall-clock ms of the newer events, oldest first (wallMs is monotonic within a process). */
  private readonly times: number[] = [];

  add(atMs: number = wallMs()): void {
    this.times.push(atMs);
    while ((this.times[0] as number) < atMs - KEEP_MS) {
      this.times.shift();
      this.older++;
    }
  }

  /** Events at or before `atMs` (wall-clock ms, wallMs); exact for the last KEEP_MS. */
  asOf(atMs: number): number {
    let n = this.older;
    for (const t of this.times) {
      if (t > atMs) break;
      n++;
    }
    return n;
  }
}
