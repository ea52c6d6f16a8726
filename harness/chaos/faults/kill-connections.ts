import { need, once, type Fault } from '../fault.ts';

export interface KillConnectionsOptions {
  /** Share of the target's connections to close, 0..1 (default all). */
  fraction?: number;
  /** Only connections whose connection_name matches (a RegExp source), e.g. "^ingest-unit-1$". */
  namePattern?: string;
}

/** Force-closes the target's connections through the management API, as an operator or a proxy would. */
export function killConnections(opts: KillConnectionsOptions = {}): Fault {
  const fraction = opts.fraction ?? 1;
  const pattern = opts.namePattern ? new RegExp(opts.namePattern) : undefined;
  const what = `${fraction < 1 ? `${Math.round(fraction * 100)}% of ` : ''}the target's connections${pattern ? ` named /${pattern.source}/` : ''}`;
  return {
    kind: 'kill-connections',
    description: `kill ${what}`,
    needs: ['management'],
    inject: async (ctx) => {
      const management = need(ctx, 'management', 'kill-connections');
      const candidates = (await management.listConnections()).filter(
        (c) => !c.harness && (!pattern || pattern.test(c.connectionName ?? '')),
      );
      const victims = candidates.slice(0, Math.ceil(candidates.length * fraction));
      await Promise.all(victims.map((c) => management.closeConnection(c.name, 'rushgate chaos: kill-connections')));
      ctx.log(`closed ${victims.length} of ${candidates.length} target connections`);
      // Closing is one-off: there is nothing to put back, the service must reconnect by itself.
      return once(async () => {});
    },
  };
}
