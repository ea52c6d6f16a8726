// The first three faults of the battery in 15 s: enough for the leak to meet its connection_max and answer
// 500 while a fault is active, which is all the leaky run has to show.
import { defineScenario } from '../../scenarios/define-scenario.ts';
import { batterySpec } from './chaos-battery-scenario.ts';

export default defineScenario({
  ...batterySpec,
  name: 'chaos-battery-short',
  description: "The battery's first three faults during a steady 60 req/s burst (integration tests)",
  defaultDurationSec: 15,
  phases: [...batterySpec.phases.slice(0, 1), { kind: 'constant-rate' as const, name: 'burst', until: '07:15', rps: 60 }],
  chaos: batterySpec.chaos.slice(0, 3),
});
