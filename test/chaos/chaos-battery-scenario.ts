// The built-in chaos battery, shortened for the integration tests: one scenario minute per wall second,
// a steady 60 req/s, and every fault kind once, each revert followed by three seconds or more without a
// fault (the service answers 2xx again within one; faults act within milliseconds through the control
// node). The broker restart comes last, with room for a slow VM boot and the recovery after it.
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
    { at: '07:05', fault: 'memory-alarm', for: '2s' },
    { at: '07:10', fault: 'disk-alarm', for: '2s' },
    { at: '07:15', fault: 'network', toxic: 'reset-peer', for: '1s' },
    { at: '07:19', fault: 'network', toxic: 'latency', latencyMs: 300, jitterMs: 100, for: '2s' },
    { at: '07:24', fault: 'network', toxic: 'timeout', for: '2s' },
    { at: '07:29', fault: 'network', toxic: 'bandwidth', kbPerSec: 16, for: '2s' },
    { at: '07:34', fault: 'connection-squeeze', max: 0, for: '2s' },
    // A second into the squeeze, so the reconnects meet it.
    { at: '07:35', fault: 'kill-connections' },
    // Last, with 25 s of load after it: a VM restart takes 10-25 s on this machine.
    { at: '07:39', fault: 'broker-restart' },
  ],
} satisfies ScenarioSpec;

export default defineScenario(batterySpec);
