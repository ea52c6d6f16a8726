// The European retail morning of the incident, 05:30-10:00 UTC: a quiet night, stores opening from
// 06:00, the price-update burst at 07:45-08:10 that saturated the broker, a decay, and the second
// burst at 09:30-09:40. 4.5 scenario hours run in 45 wall seconds by default.
import { defineScenario } from './define-scenario.ts';
import { TIMELINES } from './timelines.ts';

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
  phases: TIMELINES['eu-morning'].phases,
});
