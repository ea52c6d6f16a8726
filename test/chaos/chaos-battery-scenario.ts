// The built-in chaos battery, shortened for the integration tests: one scenario minute per wall second,
// a steady 60 req/s, and every fault kind once, spaced so each revert has its own five seconds to show
// a recovery. The broker restart comes last: it takes 10-15 s on this machine, and the load runs on
// long enough after it to see the service answer 2xx again.
import { defineScenario, type ScenarioSpec } from '../../scenarios/define-scenario.ts';

export const BATTERY_FAULTS = 10;

export const batterySpec = {
  name: 'chaos-battery',
  description: 'Every fault kind once during a steady 60 req/s burst (integration tests)',
  clockStart: '07:00',
  defaultDurationSec: 64,
  peakRps: 60,
  seed: 606,
  mix: {
    'item-put': { weight: 70 },
    'items-batch': { weight: 10, items: { min: 5, max: 20 } },
    matchings: { weight: 20, pairs: { min: 1, max: 10 } },
  },
  phases: [
    { kind: 'ramp', name: 'warm-up', until: '07:02', fromRps: 20, toRps: 60 },
    { kind: 'constant-rate', name: 'burst', until: '08:04', rps: 60 },
  ],
  chaos: [
    { at: '07:03', fault: 'kill-connections' },
    { at: '07:07', fault: 'memory-alarm', for: '3s' },
    { at: '07:13', fault: 'disk-alarm', for: '3s' },
    { at: '07:19', fault: 'network', toxic: 'reset-peer', for: '1s' },
    { at: '07:23', fault: 'network', toxic: 'latency', latencyMs: 300, jitterMs: 100, for: '3s' },
    { at: '07:28', fault: 'network', toxic: 'timeout', for: '2s' },
    { at: '07:33', fault: 'network', toxic: 'bandwidth', kbPerSec: 16, for: '2s' },
    { at: '07:37', fault: 'connection-squeeze', max: 0, for: '3s' },
    // Two seconds after the squeeze (its rabbitmqctl call takes ~1.5 s), so the reconnects meet it.
    { at: '07:39', fault: 'kill-connections' },
    { at: '07:44', fault: 'broker-restart' },
  ],
} satisfies ScenarioSpec;

export default defineScenario(batterySpec);
