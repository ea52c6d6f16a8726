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
  /** Events older than KEEP_MS: only counted. */
  private older = 0;
  /** Wall-clock ms of the newer events, oldest first (wallMs is monotonic within a process). */
  private readonly times: number[] = [];
  private head = 0;

  add(atMs: number = wallMs()): void {
    this.times.push(atMs);
    while (this.head < this.times.length && this.times[this.head]! < atMs - KEEP_MS) this.head++;
    // Compact now and then, so a long run keeps a minute of times, not all of them.
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.older += this.head;
      this.times.splice(0, this.head);
      this.head = 0;
    }
  }

  get total(): number {
    return this.older + this.times.length;
  }

  /** Events at or before `atMs` (wall-clock ms, wallMs); exact for the last KEEP_MS. */
  asOf(atMs: number): number {
    let n = this.older + this.head;
    for (let i = this.head; i < this.times.length && this.times[i]! <= atMs; i++) n++;
    return n;
  }
}
