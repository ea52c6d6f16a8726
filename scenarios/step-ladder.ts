// Plateaus at 1x..5x a base rate, each followed by a pause. Made for the growth rule: a healthy
// service holds the same connection count on every step and returns to it in every cool-down; a
// leaking one climbs with each step. The clock is nominal (00:00), steps are 2 scenario minutes.
import { defineScenario } from './define-scenario.ts';
import type { PhaseSpec } from './define-scenario.ts';

const BASE_RPS = 50;
const STEPS = 5;

const phases: PhaseSpec[] = [];
for (let step = 1; step <= STEPS; step++) {
  phases.push({ kind: 'constant-rate', name: `step-${step}`, minutes: 2, rps: BASE_RPS * step, description: `${step}x base rate` });
  phases.push({ kind: 'pause', name: `cool-${step}`, minutes: 1, description: 'cool-down: connections should fall back' });
}

export default defineScenario({
  name: 'step-ladder',
  description: `Plateaus at 1x..${STEPS}x of ${BASE_RPS} req/s, each followed by a cool-down pause`,
  clockStart: '00:00',
  defaultDurationSec: 75,
  peakRps: BASE_RPS * STEPS,
  seed: 5151,
  mix: {
    'item-put': { weight: 70 },
    'items-batch': { weight: 10, items: { min: 10, max: 100 } },
    matchings: { weight: 20, pairs: { min: 1, max: 20 } },
  },
  phases,
});
