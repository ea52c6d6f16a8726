// How long a run keeps measuring once the load has ended. A run that ran its course samples the full
// cool-down, which the residue rule judges. A run aborted by a rule that had certainly failed only
// settles briefly: the verdict is already fail, and the user is waiting for it. Either goes on sampling
// for a few seconds more when the broker was mostly unseen since the load (sampleUntilSeen).

import { mostlyUnseen } from '../gate/judged-window.ts';
import { gapsOf } from '../gate/sampling-gaps.ts';
import { onInterrupt } from '../lifecycle/interrupt.ts';
import type { BrokerSampler } from '../probe/broker-sampler.ts';

/** Requests still unanswered this long after an abort are given up (counted as timeouts). */
export const ABORT_GRACE_MS = 1_000;
/** Sampling after an aborted load, for the residue the report shows. */
export const ABORT_SETTLE_SEC = 1;

/**
 * The residue rules read the broker after the load, and cannot pass on a window that is mostly gaps. On a
 * starved machine scrapes can take a second each (CI: a healthy pool's residue "not judged", 1.6 s of its
 * 2.1 s unseen; an aborted run's 1 s settle with no reading at all), so sampling goes on, this much at most,
 * until the gate would call the window seen. Waiting longer hides no leak (what was left open stays open);
 * a pool that closes slowly may be read as closed, which is what the residue asks.
 */
export const UNSEEN_EXTENSION_MS = 5_000;

/**
 * Whether the broker was seen over most of the time since the load ended, by the gate's own measure: the
 * window runs from the load's end to the last sample, as the residue rules read it.
 */
export function seenAfterLoad(sampling: { gaps: ReadonlyArray<{ from: number; to: number }> }, lastSampleT: number | undefined, loadEndSec: number): boolean {
  if (lastSampleT === undefined || lastSampleT <= loadEndSec) return false;
  return !mostlyUnseen(gapsOf({ gaps: [...sampling.gaps], broker: [] }), loadEndSec, lastSampleT);
}

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

/**
 * Keeps the broker sampled after the cool-down until the time since the load is seen (seenAfterLoad), at
 * most UNSEEN_EXTENSION_MS more, and says so when it waits. A Ctrl-C ends the wait.
 */
export async function sampleUntilSeen(
  sampler: Pick<BrokerSampler, 'samples' | 'sampling' | 'sampleAfter'>,
  loadEndSec: number,
  log: (line: string) => void,
  maxMs = UNSEEN_EXTENSION_MS,
): Promise<void> {
  const lastT = () => sampler.samples().at(-1)?.t;
  const seen = () => seenAfterLoad(sampler.sampling(), lastT(), loadEndSec);
  if (seen()) return;
  log(`the broker was mostly unseen since the load ended (slow or failed scrapes); sampling up to ${maxMs / 1000} s more`);
  const deadline = Date.now() + maxMs;
  let interrupted = false;
  const unsubscribe = onInterrupt(() => (interrupted = true));
  try {
    while (!seen() && !interrupted) {
      const left = deadline - Date.now();
      if (left <= 0) return log(`the broker stayed mostly unseen ${maxMs / 1000} s longer; the residue rules say what they could not read`);
      // One sample at a time, at most 250 ms apart, so a Ctrl-C is heard soon.
      await sampler.sampleAfter(Math.max(lastT() ?? loadEndSec, loadEndSec), Math.min(left, 250));
    }
  } finally {
    unsubscribe();
  }
}
