// Stretches without broker samples. The sampler records them; an older results.json is read for them
// from the spacing of its samples. Rules name the ones inside the window they judge (judged-window.ts).

import type { GateInput } from './input.ts';
import { median } from './stats.ts';

/** Gaps shorter than this are not named: a held level already spans a second. */
const MIN_GAP_SEC = 1;

export interface Gap {
  from: number;
  to: number;
  seconds: number;
}

/**
 * Gaps in the broker samples: the ones the sampler recorded, else spacings longer than 2.5 times the
 * usual interval (so a results.json from before gaps were recorded still shows its holes).
 */
export function gapsOf(input: Pick<GateInput, 'gaps' | 'broker'>): Gap[] {
  if (input.gaps) return input.gaps.map((g) => ({ from: g.from, to: g.to, seconds: g.to - g.from })).filter((g) => g.seconds >= MIN_GAP_SEC);
  const ts = input.broker.map((s) => s.t);
  if (ts.length < 3) return [];
  const steps = ts.slice(1).map((t, i) => t - ts[i]!);
  const usual = median(steps);
  const out: Gap[] = [];
  for (let i = 0; i < steps.length; i++) {
    if (steps[i]! > Math.max(2.5 * usual, MIN_GAP_SEC)) out.push({ from: ts[i]!, to: ts[i + 1]!, seconds: steps[i]! });
  }
  return out;
}

/** The gaps within [from, to], clipped to it, and the seconds they cover. */
export function gapsWithin(gaps: readonly Gap[], from: number, to: number): { gaps: Gap[]; seconds: number } {
  const clipped = gaps
    .map((g) => ({ from: Math.max(g.from, from), to: Math.min(g.to, to) }))
    .filter((g) => g.to > g.from)
    .map((g) => ({ ...g, seconds: g.to - g.from }));
  return { gaps: clipped, seconds: clipped.reduce((a, g) => a + g.seconds, 0) };
}

