// A steady morning burst with a battery of faults on its clock, about one every seven wall seconds so
// each recovery can be seen on its own: killed connections, memory and disk alarms, resets, latency and
// a blackhole on the service -> broker path, a connection squeeze, and a broker restart. The fix must
// answer 2xx or 503 + Retry-After throughout, lose no acknowledged request, and recover within seconds.
import { defineScenario } from './define-scenario.ts';

export default defineScenario({
  name: 'chaos',
  description: 'Steady burst at the morning peak with a battery of broker and network faults',
  clockStart: '07:30',
  defaultDurationSec: 80,
  peakRps: 100,
  seed: 7750,
  mix: {
    'item-put': { weight: 70 },
    'items-batch': { weight: 10, items: { min: 10, max: 100 } },
    matchings: { weight: 20, pairs: { min: 1, max: 20 } },
  },
  phases: [
    { kind: 'ramp', name: 'warm-up', until: '07:36', fromRps: 20, toRps: 100 },
    { kind: 'constant-rate', name: 'burst', until: '08:40', rps: 100 },
    { kind: 'ramp', name: 'tail', until: '08:50', fromRps: 100, toRps: 20 },
  ],
  chaos: [
    { at: '07:38', fault: 'kill-connections' },
    { at: '07:45', fault: 'memory-alarm', for: '4s' },
    { at: '07:52', fault: 'disk-alarm', for: '4s' },
    { at: '07:59', fault: 'network', toxic: 'reset-peer', for: '1s' },
    { at: '08:05', fault: 'network', toxic: 'latency', latencyMs: 300, jitterMs: 100, for: '4s' },
    { at: '08:12', fault: 'network', toxic: 'timeout', for: '3s' },
    { at: '08:18', fault: 'connection-squeeze', max: 0, for: '4s' },
    // After the squeeze has taken hold (its rabbitmqctl call takes ~1.5 s), so the reconnects meet it.
    { at: '08:20', fault: 'kill-connections' },
    { at: '08:27', fault: 'broker-restart' },
  ],
});
