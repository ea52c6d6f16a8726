import type { ChaosSpec } from '../../scenarios/chaos-schema.ts';
import type { Fault } from './fault.ts';
import { brokerRestart } from './faults/broker-restart.ts';
import { connectionSqueeze } from './faults/connection-squeeze.ts';
import { diskAlarm } from './faults/disk-alarm.ts';
import { killConnections } from './faults/kill-connections.ts';
import { memoryAlarm } from './faults/memory-alarm.ts';
import { networkFault } from './faults/network.ts';
import { nodeFault } from './faults/node.ts';
import { partition } from './faults/partition.ts';

/** The fault a scenario's chaos entry names; `forSec` is its resolved `for`, in wall seconds. */
export function buildFault(spec: ChaosSpec, forSec?: number): Fault {
  switch (spec.fault) {
    case 'kill-connections':
      return killConnections({ fraction: spec.fraction, namePattern: spec.namePattern });
    case 'broker-restart':
      // `for` is how long the node stays down; its start time (~10 s here) comes on top.
      return brokerRestart({ downMs: (forSec ?? 0) * 1000 });
    case 'memory-alarm':
      return memoryAlarm();
    case 'disk-alarm':
      return diskAlarm();
    case 'node-stop':
    case 'node-kill':
      return nodeFault({ action: spec.fault === 'node-stop' ? 'stop' : 'kill', node: spec.node, comesBack: forSec !== undefined });
    case 'node-start':
      return nodeFault({ action: 'start', node: spec.node });
    case 'partition':
      return partition({ node: spec.node, from: spec.from });
    case 'connection-squeeze':
      return connectionSqueeze({ max: spec.max });
    case 'network':
      switch (spec.toxic) {
        case 'latency':
          return networkFault({ toxic: 'latency', latencyMs: spec.latencyMs ?? 0, jitterMs: spec.jitterMs, stream: spec.stream });
        case 'bandwidth':
          return networkFault({ toxic: 'bandwidth', kbPerSec: spec.kbPerSec ?? 1, stream: spec.stream });
        case 'timeout':
          return networkFault({ toxic: 'timeout', closeAfterMs: spec.closeAfterMs, stream: spec.stream });
        case 'reset-peer':
          return networkFault({ toxic: 'reset-peer', afterMs: spec.afterMs });
        case 'slow-close':
          return networkFault({ toxic: 'slow-close', delayMs: spec.delayMs ?? 0, stream: spec.stream });
      }
  }
}
