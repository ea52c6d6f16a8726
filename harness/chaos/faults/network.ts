import { need, once, type Fault } from '../fault.ts';
import { bandwidth, latency, resetPeer, slowClose, timeout, type Stream, type Toxic } from '../proxy/toxics.ts';

export type NetworkToxicSpec =
  | { toxic: 'latency'; latencyMs: number; jitterMs?: number; stream?: Stream }
  | { toxic: 'bandwidth'; kbPerSec: number; stream?: Stream }
  | { toxic: 'timeout'; closeAfterMs?: number; stream?: Stream }
  | { toxic: 'reset-peer'; afterMs?: number }
  | { toxic: 'slow-close'; delayMs: number; stream?: Stream };

export function toxicFrom(spec: NetworkToxicSpec): Toxic {
  switch (spec.toxic) {
    case 'latency':
      return latency(spec);
    case 'bandwidth':
      return bandwidth(spec);
    case 'timeout':
      return timeout(spec);
    case 'reset-peer':
      return resetPeer(spec);
    case 'slow-close':
      return slowClose(spec);
  }
}

/** A toxic on the service -> broker path, through the proxy the harness put in between. */
export function networkFault(spec: NetworkToxicSpec): Fault {
  const toxic = toxicFrom(spec);
  return {
    kind: `network-${spec.toxic}`,
    description: `network: ${toxic.name} between service and broker`,
    needs: ['proxy'],
    inject: async (ctx) => {
      const remove = need(ctx, 'proxy', `network ${spec.toxic}`).addToxic(toxic);
      return once(async () => remove());
    },
  };
}
