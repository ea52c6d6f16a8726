import { describe, expect, it } from 'vitest';
import { batteryRunner, rule, SHORT_SCENARIO } from './battery-run.ts';

// The leak under the battery's first three faults (battery-run.ts): judged on what it answered, not on
// how fast, so it runs beside other files.
const battery = batteryRunner();

describe('chaos battery', () => {
  it('leaky: fails the battery, with 500s under the faults', async () => {
    const { record, lines } = await battery('leaky', SHORT_SCENARIO);
    expect(record.verdict.passed, lines).toBe(false);
    expect(rule(record, 'connections.ceiling')?.passed, lines).toBe(false);
    expect(rule(record, 'chaos.answers')?.passed, lines).toBe(false);
    expect(rule(record, 'chaos.answers')?.message).toMatch(/answered another 5xx \(500 /);
  }, 240_000);
});
