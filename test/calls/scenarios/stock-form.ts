// A form-encoded stock endpoint that takes the request id as a form field.
import { defineScenario } from '../../../scenarios/define-scenario.ts';

export default defineScenario({
  name: 'stock-form',
  description: 'Form-encoded stock updates on the European morning',
  timeline: 'eu-morning',
  defaultDurationSec: 8,
  peakRps: 60,
  seed: 12,
  calls: {
    'stock-set': {
      method: 'POST',
      path: '/stock',
      weight: 3,
      vars: { qty: { kind: 'int', min: 0, max: 500 } },
      form: { ref: '${requestId}', sku: '${itemId}', qty: '${qty}' },
    },
    // A body function (.ts scenarios only): a string is sent as it is.
    'stock-low': {
      method: 'POST',
      path: '/stock',
      weight: 1,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: (rnd, ctx) => `ref=${ctx.requestId}&sku=${ctx.itemId}&qty=${Math.floor(rnd() * 3)}`,
    },
  },
});
