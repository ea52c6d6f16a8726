// A long steady load: slow leaks (one connection per thousand requests) only show over time.
import { defineScenario } from './define-scenario.ts';

export default defineScenario({
  name: 'soak',
  description: 'Ramp up, hold a steady 100 req/s for 50 scenario minutes, then cool down',
  clockStart: '12:00',
  defaultDurationSec: 300,
  peakRps: 100,
  seed: 777,
  mix: {
    'item-put': { weight: 60 },
    'items-batch': { weight: 15, items: { min: 10, max: 200 } },
    matchings: { weight: 25, pairs: { min: 1, max: 20 } },
  },
  phases: [
    { kind: 'ramp', name: 'warm-up', minutes: 5, fromRps: 10, toRps: 100 },
    { kind: 'constant-rate', name: 'soak', minutes: 50, rps: 100 },
    { kind: 'pause', name: 'cool-down', minutes: 5 },
  ],
});
