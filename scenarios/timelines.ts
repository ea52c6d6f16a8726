// Named timelines a scenario can borrow (`timeline: 'eu-morning'`) instead of writing its phases: the
// rates scale to the scenario's own peakRps, so a user's API gets the incident's morning shape.
import type { PhaseSpec } from './scenario-schema.ts';

export interface Timeline {
  clockStart: string;
  /** The peak the phase rates below are written at. */
  peakRps: number;
  phases: PhaseSpec[];
}

export const TIMELINES = {
  'eu-morning': {
    clockStart: '05:30',
    peakRps: 200,
    phases: [
      { kind: 'constant-rate', name: 'night', until: '06:00', rps: 6, description: 'overnight trickle, ~3% of peak' },
      { kind: 'ramp', name: 'opening-ramp', until: '07:45', fromRps: 6, toRps: 110, description: 'stores open across Europe' },
      { kind: 'constant-rate', name: 'peak-1', until: '08:10', rps: 200, description: 'morning price-update burst' },
      { kind: 'ramp', name: 'decay', until: '09:00', fromRps: 200, toRps: 60 },
      { kind: 'constant-rate', name: 'mid-morning', until: '09:30', rps: 60 },
      { kind: 'constant-rate', name: 'peak-2', until: '09:40', rps: 170, description: 'second burst' },
      { kind: 'ramp', name: 'tail', until: '10:00', fromRps: 60, toRps: 20 },
    ],
  },
} satisfies Record<string, Timeline>;

export type TimelineName = keyof typeof TIMELINES;
export const TIMELINE_NAMES = Object.keys(TIMELINES) as TimelineName[];

/** The timeline's clock start and phases, rates scaled to `peakRps`. */
export function timelinePhases(name: TimelineName, peakRps: number): { clockStart: string; phases: PhaseSpec[] } {
  const t: Timeline = TIMELINES[name];
  const k = peakRps / t.peakRps;
  const scale = (n: number) => Math.round(n * k * 1000) / 1000;
  return {
    clockStart: t.clockStart,
    phases: t.phases.map((p) => (p.kind === 'constant-rate' ? { ...p, rps: scale(p.rps) } : p.kind === 'ramp' ? { ...p, fromRps: scale(p.fromRps), toRps: scale(p.toRps) } : { ...p })),
  };
}
