// Attributes the target's broker connections to units while a run goes on: the management API's
// connection list every few seconds (it costs ~260 ms at 1,000 connections, so slowly, and never in the
// broker sampler's way), each connection's peer port mapped to the target process that holds it.
import type { AttributionInfo } from '../run-record.ts';
import { summariseAttribution, groupName, type AttributionSnapshot } from './attribution-summary.ts';
import { startConnectionPoller } from './connection-poller.ts';
import type { BrokerConnection, ManagementClient } from './management-api.ts';
import { ownersOfPorts, readProcessTree, type ProcessInfo } from './proc-sockets.ts';

export interface AttributionOptions {
  client: ManagementClient;
  /** Seconds since load start. */
  clock: () => number;
  /** Root of the target's process tree, when rushgate started it as a local process. */
  targetPid?: number;
  /** The broker's AMQP port, to tell the client's end of a connection from the broker's. */
  brokerPort?: number;
  /** Every node's AMQP port on a cluster (the target's units connect to any of them); else brokerPort alone. */
  brokerPorts?: number[];
  /** Default 3 s. */
  intervalMs?: number;
}

export interface ConnectionAttribution {
  /** Polls a last time (the end counts), then stops. */
  stop(): Promise<void>;
  report(p: { declaredUnits: number; loadEndSec: number }): AttributionInfo;
  lastError(): string | undefined;
}

export function startConnectionAttribution(opts: AttributionOptions): ConnectionAttribution {
  const snapshots: AttributionSnapshot[] = [];
  const processes = new Map<number, ProcessInfo>();
  /** Broker connection name -> pid holding it; a connection keeps its ports, so it is looked up once. */
  const owners = new Map<string, number>();
  /** Connections the broker accepted before load start, by broker name: the baseline column. */
  const beforeLoad = new Map<string, { name: string; pid?: number }>();
  let datedByBroker = false;

  const resolveOwners = async (target: BrokerConnection[]) => {
    if (opts.targetPid === undefined) return;
    const unknown = target.filter((c) => !owners.has(c.name));
    if (unknown.length === 0) return;
    try {
      const tree = await readProcessTree(opts.targetPid);
      for (const [pid, p] of tree) processes.set(pid, p);
      const found = await ownersOfPorts(tree, new Set(unknown.map((c) => c.peerPort)), opts.brokerPorts && opts.brokerPorts.length > 1 ? new Set(opts.brokerPorts) : opts.brokerPort);
      for (const c of unknown) {
        const pid = found.get(c.peerPort);
        if (pid !== undefined) owners.set(c.name, pid);
      }
    } catch {
      // No /proc (not Linux) or the target is gone: attribution falls back to names.
    }
  };

  const onPoll = async (list: BrokerConnection[]) => {
    const t = opts.clock();
    // Load start on the OS clock, which the broker's connected_at is read from. The run clock counts from
    // the process's start on a monotonic clock, which an OS clock step since then leaves behind (CI:
    // connections opened before the load dated after its start, the baseline column 0).
    const loadStartOsMs = Date.now() - t * 1000;
    const target = list.filter((c) => !c.harness);
    await resolveOwners(target);
    const live = new Set(target.map((c) => c.name));
    for (const name of owners.keys()) if (!live.has(name)) owners.delete(name);
    const groups = new Map<string, { name: string; pid?: number; count: number }>();
    for (const c of target) {
      const name = groupName(c.connectionName);
      const pid = owners.get(c.name);
      if (c.connectedAt !== undefined) datedByBroker = true;
      if (c.connectedAt !== undefined && c.connectedAt < loadStartOsMs) beforeLoad.set(c.name, { name, ...(pid === undefined ? {} : { pid }) });
      const key = `${name}\u0000${pid ?? ''}`;
      const g = groups.get(key) ?? { name, ...(pid === undefined ? {} : { pid }), count: 0 };
      g.count++;
      groups.set(key, g);
    }
    snapshots.push({ t, groups: [...groups.values()] });
  };

  const poller = startConnectionPoller(opts.client, { intervalMs: opts.intervalMs ?? 3000, onPoll });
  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= poller.pollNow().then(() => poller.stop());
      return stopping;
    },
    report: ({ declaredUnits, loadEndSec }) =>
      summariseAttribution(snapshots, { declaredUnits, loadEndSec, processes,
        ...(datedByBroker ? { baseline: [...beforeLoad.values()].map((c) => ({ ...c, count: 1 })) } : {}),
      }),
    lastError: () => poller.lastError(),
  };
}
