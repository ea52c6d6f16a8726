// connections.churn reads the broker's opened/closed counters on either side of the load, so a hole in
// the sampling (the incident's 8.2 s under 1,600 connections) loses no count and is named in the sentence.
import { describe, expect, it } from 'vitest';
import { evaluateGate } from '../../harness/gate/evaluate.ts';
import type { GateInput } from '../../harness/gate/input.ts';
import { run, stepLadder } from './timeline.ts';

const churn = (input: GateInput) => evaluateGate(input).rules.find((r) => r.name === 'connections.churn')!;

/** Every request opens a connection; one in five is closed again, the rest leak. */
const mostlyLeaking = run({ phases: stepLadder(), connections: (c) => ({ open: Math.ceil(c.requests * 0.8), opened: Math.round(c.requests) }) });

function withHole(input: GateInput, from: number, to: number): GateInput {
  return { ...input, broker: input.broker.filter((s) => s.t < from || s.t > to), gaps: [{ from, to }] };
}

describe('connections.churn from the broker counters', () => {
  it('counts the closes of a service that leaks most of what it opens', () => {
    const r = churn(mostlyLeaking);
    const last = mostlyLeaking.broker.at(-1)!;
    expect(r.message).toContain(`opened and closed again ${last.connectionsClosed.toLocaleString('en-US')} times`);
    expect(r.passed).toBe(false);
  });

  it('loses nothing to a hole in the sampling, and says it counted across it', () => {
    const holed = withHole(mostlyLeaking, 30, 55);
    const whole = churn(mostlyLeaking);
    const r = churn(holed);
    expect(r.value).toBe(whole.value);
    expect(r.message).toMatch(/kept counting through the 25 s without broker samples/);
  });

  it('says so when the broker was last read before the load ended', () => {
    const cut = { ...mostlyLeaking, broker: mostlyLeaking.broker.filter((s) => s.t < 50) };
    expect(churn(cut).message).toMatch(/last read at 49.8 s, before the load ended at 66 s, so later opens are not counted/);
  });
});
