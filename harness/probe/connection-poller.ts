// Polls the management API's connection list at a low rate (it costs ~260 ms at 1,000 connections)
// to attribute connections: the harness's own (named `rushgate-...`) and the target's, per client name.
// Its `harnessUsage` can feed the broker sampler when the harness cannot count its own connections
// itself, e.g. when watching a broker other tools also use. Counts lag by the broker's stats interval.

import { type BrokerConnection, type ManagementClient } from './management-api.ts';

export interface ConnectionPoller {
  latest(): BrokerConnection[];
  /** The harness's connections and their channels at the last poll. */
  harnessUsage(): { connections: number; channels: number };
  /** Target connections per `connection_name` (or "(unnamed)") at the last poll. */
  byClientName(): Record<string, number>;
  lastError(): string | undefined;
  /** Polls once more now (after any poll in flight) and resolves when it is done. */
  pollNow(): Promise<void>;
  stop(): Promise<void>;
}

export interface ConnectionPollerOptions {
  intervalMs?: number;
  /** Called with every list fetched; the next poll waits for it, so it never overlaps itself. */
  onPoll?: (list: BrokerConnection[]) => Promise<void> | void;
}

export function startConnectionPoller(client: ManagementClient, opts: ConnectionPollerOptions = {}): ConnectionPoller {
  const intervalMs = opts.intervalMs ?? 5000;
  let connections: BrokerConnection[] = [];
  let error: string | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;

  const once = () =>
    client
      .listConnections()
      .then(async (list) => {
        connections = list;
        error = undefined;
        await opts.onPoll?.(list);
      })
      .catch((err: Error) => {
        error = err.message;
      });
  const poll = () => {
    inFlight = once().finally(() => {
      inFlight = undefined;
      if (!stopped) timer = setTimeout(poll, intervalMs);
    });
  };
  poll();

  return {
    latest: () => connections,
    harnessUsage: () => {
      const own = connections.filter((c) => c.harness);
      return { connections: own.length, channels: own.reduce((a, c) => a + c.channels, 0) };
    },
    byClientName: () => {
      const out: Record<string, number> = {};
      for (const c of connections) if (!c.harness) out[c.connectionName ?? '(unnamed)'] = (out[c.connectionName ?? '(unnamed)'] ?? 0) + 1;
      return out;
    },
    lastError: () => error,
    async pollNow() {
      await inFlight;
      await once();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
    },
  };
}
