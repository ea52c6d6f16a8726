// The European retail morning of the incident, 05:30-10:00 UTC: a quiet night, stores opening from
// 06:00, the price-update burst at 07:45-08:10 that saturated the broker, a decay, and the second
// burst at 09:30-09:40. 4.5 scenario hours run in 45 wall seconds by default.
import { defineScenario } from './define-scenario.ts';

export default defineScenario({
  name: 'eu-morning',
  description: 'European retail morning: night baseline, store opening, peaks at 07:45-08:10 and 09:30-09:40 UTC',
  clockStart: '05:30',
  defaultDurationSec: 45,
  peakRps: 200,
  seed: 20240745,
  mix: {
    'item-put': { weight: 60 },
    'items-batch': { weight: 15, items: { min: 10, max: 500 } },
    matchings: { weight: 25, pairs: { min: 1, max: 50 } },
  },
  catalog: { stores: 120, itemsPerStore: 20_000 },
  phases: [
    { kind: 'constant-rate', name: 'night', until: '06:00', rps: 6, description: 'overnight trickle, ~3% of peak' },
    { kind: 'ramp', name: 'opening-ramp', until: '07:45', fromRps: 6, toRps: 110, description: 'stores open across Europe' },
    { kind: 'constant-rate', name: 'peak-1', until: '08:10', rps: 200, description: 'morning price-update burst' },
    { kind: 'ramp', name: 'decay', until: '09:00', fromRps: 200, toRps: 60 },
    { kind: 'constant-rate', name: 'mid-morning', until: '09:30', rps: 60 },
    { kind: 'constant-rate', name: 'peak-2', until: '09:40', rps: 170, description: 'second burst' },
    { kind: 'ramp', name: 'tail', until: '10:00', fromRps: 60, toRps: 20 },
  ],
});
