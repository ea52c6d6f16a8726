// How long a run keeps measuring once the load has ended. A run that ran its course samples the full
// cool-down, which the residue rule judges. A run aborted by a rule that had certainly failed only
// settles briefly: the verdict is already fail, and the user is waiting for it.

/** Requests still unanswered this long after an abort are given up (counted as timeouts). */
export const ABORT_GRACE_MS = 1_000;
/** Sampling after an aborted load, for the residue the report shows. */
export const ABORT_SETTLE_SEC = 1;

/**
 * The residue rules need one broker reading after the load. A broker busy closing what a leak left behind
 * can take over a second per scrape (CI: an aborted run's 1 s settle passed with none in), so sampling goes
 * on until one arrives, up to two scrape timeouts.
 */
export const READING_AFTER_LOAD_WAIT_MS = 4_500;

export interface AfterLoad {
  /** Seconds of broker sampling after the load. */
  sampleSec: number;
  /** The verification tap's drain: quiet this long ends it, and it never waits longer than timeoutMs. */
  drain: { quietMs: number; timeoutMs: number };
  /** How long the target's own status endpoint may take to answer (a swamped target may not). */
  workerStatusTimeoutMs: number;
}

export function afterLoad(aborted: boolean, cooldownSec: number): AfterLoad {
  if (aborted) {
    const sampleSec = Math.min(cooldownSec, ABORT_SETTLE_SEC);
    return { sampleSec, drain: { quietMs: 300, timeoutMs: Math.max(sampleSec * 1000, 1_000) }, workerStatusTimeoutMs: 1_000 };
  }
  return { sampleSec: cooldownSec, drain: { quietMs: 1_000, timeoutMs: Math.max(cooldownSec * 1000, 5_000) }, workerStatusTimeoutMs: 3_000 };
}
