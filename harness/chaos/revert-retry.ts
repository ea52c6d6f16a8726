// A failed revert (a disk alarm cleared while the broker restarts, a control call that timed out) is tried
// again: quickly at first, then every second, so a revert lands within about a second of the broker's return.
const FIRST_MS = 250;
const MAX_MS = 1_000;

/** Milliseconds to wait after failed attempt number `attempt` (1-based). */
export function retryDelayMs(attempt: number): number {
  return Math.min(MAX_MS, FIRST_MS * 2 ** Math.max(0, attempt - 1));
}
