// The run's clock: seconds since load start, read from the wall clock so that every thread (the load
// driver, the broker sampler's worker) reads the same time without asking another thread for it.

/** Wall-clock milliseconds, at sub-millisecond resolution, the same on every thread of the process. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Seconds since load start; negative while the baseline is taken. Carries its zero so a worker can rebuild it. */
export interface RunClock {
  (): number;
  /** Wall-clock milliseconds (wallMs) at t = 0. */
  readonly zeroMs: number;
}

export function runClock(zeroMs: number): RunClock {
  return Object.assign(() => (wallMs() - zeroMs) / 1000, { zeroMs });
}

/** The zero of any seconds-since-zero clock: exact for a RunClock, read off the wall clock otherwise. */
export function zeroOf(clock: () => number): number {
  const z = (clock as Partial<RunClock>).zeroMs;
  return typeof z === 'number' ? z : wallMs() - clock() * 1000;
}
