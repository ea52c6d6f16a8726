// The first three faults of the battery in 20 s: enough for the leak to meet its connection_max and answer
// 500 while a fault is active, which is all the leaky run has to show.
import { defineScenario } from '../../scenarios/define-scenario.ts';

export default defineScenario({
  name: 'chaos-battery-short',
  description: 'The battery\'s first three faults during a steady 60 req/s burst (integration tests)',
  clockStart: '07:00',
  defaultDurationSec: 20,
  peakRps: 60,
  seed: 606,
  mix: {
    'item-put': { weight: 70 },
    'items-batch': { weight: 10, items: { min: 5, max: 20 } },
    matchings: { weight: 20, pairs: { min: 1, max: 10 } },
  },
  phases: [
    { kind: 'ramp', name: 'warm-up', until: '07:02', fromRps: 20, toRps: 60 },
    { kind: 'constant-rate', name: 'burst', until: '07:20', rps: 60 },
  ],
  chaos: [
    { at: '07:03', fault: 'kill-connections' },
    { at: '07:07', fault: 'memory-alarm', for: '3s' },
    { at: '07:13', fault: 'disk-alarm', for: '3s' },
  ],
});
