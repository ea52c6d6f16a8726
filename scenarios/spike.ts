// A flash sale: a sudden 20x jump with no ramp, then back to baseline. Shows whether the service
// opens connections on demand under a burst and whether it gives them back afterwards.
import { defineScenario } from './define-scenario.ts';

export default defineScenario({
  name: 'spike',
  description: 'Baseline 20 req/s, a sudden spike to 400 req/s for 2 scenario minutes, recovery, cool-down',
  clockStart: '07:40',
  defaultDurationSec: 50,
  peakRps: 400,
  seed: 4242,
  mix: {
    'item-put': { weight: 80 },
    'items-batch': { weight: 5, items: { min: 10, max: 100 } },
    matchings: { weight: 15, pairs: { min: 1, max: 20 } },
  },
  phases: [
    { kind: 'constant-rate', name: 'baseline', minutes: 10, rps: 20 },
    { kind: 'constant-rate', name: 'spike', minutes: 2, rps: 400 },
    { kind: 'constant-rate', name: 'recovery', minutes: 10, rps: 20 },
    { kind: 'pause', name: 'cool-down', minutes: 3 },
  ],
});
