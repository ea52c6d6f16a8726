import { describe, expect, it } from 'vitest';
import { batteryRunner, CONSUMER_CONNECTIONS, rule, UNITS } from './battery-run.ts';
import { BATTERY_FAULTS } from './chaos-battery-scenario.ts';

// The fix under every fault kind (battery-run.ts): it must recover within the default 5 s after each revert,
// so this file runs in the timed tier (beside cluster.int only).
const battery = batteryRunner();

describe('chaos battery', () => {
  it('shared: sheds with 503, never 500, holds UNITS+1 connections at every sample, recovers within 5 s, loses nothing', async () => {
    const { record, lines } = await battery('shared');
    process.stderr.write(`battery: ${rule(record, 'chaos.recovery')?.message}\n`);
    const events = record.events;
    expect(events.filter((e) => e.kind === 'fault-start'), lines).toHaveLength(BATTERY_FAULTS);
    expect(events.filter((e) => e.kind === 'fault-end'), lines).toHaveLength(BATTERY_FAULTS);
    expect(events.filter((e) => e.kind === 'note').map((e) => e.message)).toEqual([]);

    const during = record.broker.filter((s) => s.t >= 0 && s.t <= record.summary.durationSec);
    expect(during.length).toBeGreaterThan(100);
    const over = during.filter((s) => s.connections > UNITS + 1 + CONSUMER_CONNECTIONS);
    expect(over, lines).toEqual([]);

    const otherServerErrors = Object.entries(record.summary.status).filter(([code]) => code.startsWith('5') && code !== '503');
    expect(otherServerErrors).toEqual([]);
    // Every fault made the service shed: there were 503s, and 2xx outnumber them.
    expect(record.summary.status['503'] ?? 0).toBeGreaterThan(100);

    for (const name of ['chaos.answers', 'chaos.recovery', 'errors.rate', 'connections.ceiling', 'connections.residue']) {
      expect(rule(record, name)?.passed, `${name}\n${lines}`).toBe(true);
    }
    expect(rule(record, 'chaos.recovery')?.message).toMatch(/^After each of 10 reverts/);
    if (record.integrity) expect(record.integrity.acknowledgedButLost.count, lines).toBe(0);
    expect(record.verdict.passed, lines).toBe(true);
  }, 240_000);
});
