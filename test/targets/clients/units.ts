// UNITS worker processes sharing PORT, the way the target contract asks: the primary forks them and
// waits; each worker is one unit with its own broker connections. With UNITS=1 the process is the unit.
import cluster from 'node:cluster';
import { EXCHANGE } from '../contract-server.ts';

/** Runs `startUnit` once per unit; `unit` is 1-based, for connection names. */
export async function runUnits(startUnit: (unit: number) => Promise<void>): Promise<void> {
  const units = Math.max(1, Number(process.env.UNITS || 1));
  if (units === 1) return startUnit(1);
  if (!cluster.isPrimary) return startUnit(Number(process.env.UNIT_INDEX));
  const workers = Array.from({ length: units }, (_, i) => cluster.fork({ UNIT_INDEX: String(i + 1) }));
  // The harness signals the whole process group, so every worker gets the signal too; the primary only
  // waits for them, then leaves.
  const stop = () => {
    void Promise.all(workers.map((w) => (w.isDead() ? undefined : new Promise((r) => w.once('exit', r))))).then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** A name for a unit's connection, so the broker's connection list says which unit and role it is. */
export function connectionName(service: string, unit: number, role = 'publish'): string {
  return `${service}/unit-${unit}/${role}`;
}

export const AMQP_URL = process.env.AMQP_URL as string;

/** The exchange the harness verifies (VERIFY_EXCHANGE, from --verify-exchange), else the targets' own. */
export const PUBLISH_EXCHANGE = process.env.VERIFY_EXCHANGE || EXCHANGE;
