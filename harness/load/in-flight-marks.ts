// The most requests in flight at once in each wall second of the load (the service's concurrency, as the
// driver saw it). The gate reads it to tell a lazily filled pool, which grows with the concurrency, from a
// leak, which grows with the requests served: when a starved service answers slowly, concurrency reaches
// new highs at offered rates already served, and a pool fills then.
//
// The count only changes when a request is sent or reported, so a second's high-water mark is the
// largest of its level at its start and the levels around each change inside it; a second with no change
// held the level of the last change before it.

export class InFlightMarks {
  private readonly marks = new Map<number, number>();
  /** Wall second of the last change, and the count after it. */
  private lastSec = -1;
  private level = 0;
  /** Seconds before this one were taken: no mark is kept for them any more. */
  private open = 0;

  /** The count became `after` (from the level of the last change) in wall second `t`. */
  change(t: number, after: number): void {
    // Every second from the one after the last change up to t started at the level before this change.
    for (let s = Math.max(this.lastSec + 1, this.open); s <= t; s++) this.raise(s, this.level);
    if (t >= this.open) this.raise(t, after);
    this.lastSec = Math.max(this.lastSec, t);
    this.level = after;
  }

  /** The high-water mark of second `t`, once it is over; its mark is dropped (seconds are taken in order). */
  take(t: number): number {
    const mark = this.marks.get(t);
    this.marks.delete(t);
    this.open = Math.max(this.open, t + 1);
    // No change since the second began: it held the level of the last change throughout.
    return t > this.lastSec ? Math.max(mark ?? 0, this.level) : (mark ?? this.level);
  }

  private raise(t: number, level: number): void {
    this.marks.set(t, Math.max(this.marks.get(t) ?? 0, level));
  }
}
