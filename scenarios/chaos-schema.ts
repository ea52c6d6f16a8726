// Faults on the scenario timeline: `chaos: [{ at: '07:50', fault: 'kill-connections', for: '30s' }]`.
// `at` is a scenario clock label, like the phases; `for` is wall time, because a fault lasts as long as
// the service has to cope with it, whatever the compression of the morning.
import { z } from 'zod';
import { isClock } from './clock.ts';
import { parseDurationSec } from './duration.ts';

const clock = z.string().refine(isClock, 'must be a 24-hour UTC clock label "HH:MM", e.g. "07:50"');
const wall = z.string().regex(/^\d+(\.\d+)?(ms|s|m)$/, 'must be a wall duration such as "500ms", "8s" or "1m"');
const stream = z.enum(['upstream', 'downstream', 'both']);
const nodeSelector = z.union([z.literal('most-connections'), z.number().int().min(1), z.string().regex(/^[A-Za-z0-9_.-]+@[A-Za-z0-9_.-]+$/, 'must be an Erlang node name such as rushgate-ab12cd-2@localhost')]);
const at = { at: clock, for: wall.optional(), description: z.string().optional() };

export const chaosSpecSchema = z.discriminatedUnion('fault', [
  z.strictObject({ fault: z.literal('kill-connections'), ...at, fraction: z.number().gt(0).max(1).optional(), namePattern: z.string().optional() }),
  z.strictObject({ fault: z.literal('broker-restart'), ...at }),
  z.strictObject({ fault: z.literal('memory-alarm'), ...at }),
  z.strictObject({ fault: z.literal('disk-alarm'), ...at }),
  z.strictObject({ fault: z.literal('connection-squeeze'), ...at, max: z.number().int().min(0) }),
  // Cluster members (--broker-nodes): by 1-based index, Erlang node name, or the busiest node.
  z.strictObject({ fault: z.literal('node-stop'), ...at, node: nodeSelector.optional() }),
  z.strictObject({ fault: z.literal('node-kill'), ...at, node: nodeSelector.optional() }),
  z.strictObject({ fault: z.literal('node-start'), ...at, node: nodeSelector.optional() }),
  // The node cut off (default: the busiest) and the nodes it is cut off from (default: all the others).
  z.strictObject({ fault: z.literal('partition'), ...at, node: nodeSelector.optional(), from: z.array(nodeSelector).min(1).optional() }),
  z.strictObject({
    fault: z.literal('network'),
    ...at,
    toxic: z.enum(['latency', 'bandwidth', 'timeout', 'reset-peer', 'slow-close']),
    latencyMs: z.number().min(0).optional(),
    jitterMs: z.number().min(0).optional(),
    kbPerSec: z.number().positive().optional(),
    closeAfterMs: z.number().min(0).optional(),
    afterMs: z.number().min(0).optional(),
    delayMs: z.number().min(0).optional(),
    stream: stream.optional(),
  }),
]);

export type ChaosSpec = z.output<typeof chaosSpecSchema>;
export const FAULT_KINDS = ['kill-connections', 'broker-restart', 'memory-alarm', 'disk-alarm', 'connection-squeeze', 'network', 'node-stop', 'node-kill', 'node-start', 'partition'] as const;

/** A fault as the scenario resolved it: when (scenario minutes since clockStart) and for how long (wall s). */
export interface ScenarioFault {
  spec: ChaosSpec;
  atMinute: number;
  forSec?: number;
}

export const wallSeconds = (text: string): number => parseDurationSec(text);

/** Rules zod cannot say: a network toxic needs its own numbers; faults that last need `for`. */
export function chaosRuleProblems(chaos: unknown): string[] {
  if (!Array.isArray(chaos)) return [];
  const problems: string[] = [];
  chaos.forEach((c: Record<string, unknown>, i) => {
    if (typeof c !== 'object' || c === null) return;
    const label = `chaos[${i}] (${String(c.fault)} at ${String(c.at)})`;
    const lasting = ['memory-alarm', 'disk-alarm', 'connection-squeeze', 'network', 'partition'];
    if (lasting.includes(String(c.fault)) && c.for === undefined) problems.push(`${label}: needs "for", e.g. for: '8s'`);
    if (c.fault === 'network') {
      const needs: Record<string, string> = { latency: 'latencyMs', bandwidth: 'kbPerSec', 'slow-close': 'delayMs' };
      const key = needs[String(c.toxic)];
      if (key && c[key] === undefined) problems.push(`${label}: the ${String(c.toxic)} toxic needs "${key}"`);
    }
  });
  return problems;
}
