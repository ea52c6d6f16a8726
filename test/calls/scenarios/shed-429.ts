// A short burst with a memory alarm in the middle; the service sheds with 429 + Retry-After while the
// broker blocks it, which this scenario declares refused by design.
import { defineScenario } from '../../../scenarios/define-scenario.ts';

export default defineScenario({
  name: 'shed-429',
  description: 'Short burst with a memory alarm; 429 + Retry-After during it is shedding by design',
  clockStart: '07:40',
  defaultDurationSec: 12,
  peakRps: 60,
  seed: 429,
  mix: { 'item-put': { weight: 1 } },
  expect: { shed: [429, 503] },
  phases: [{ kind: 'constant-rate', name: 'burst', minutes: 12, rps: 60 }],
  // Early and long: on a loaded machine rabbitmqctl alone can take seconds to raise the alarm.
  chaos: [{ at: '07:42', fault: 'memory-alarm', for: '6s' }],
});
