import { need, once, type Fault } from '../fault.ts';

// connection_max is enforced by the AMQP listener's ranch max_connections; changing that squeezes live.
const listeners = '[R || R <- maps:keys(ranch:info()), element(1, R) =:= acceptor]';

/** Lowers the node's connection limit at run time; new connections past it get no answer. */
export function connectionSqueeze(opts: { max: number }): Fault {
  return {
    kind: 'connection-squeeze',
    description: `connection limit squeezed to ${opts.max}`,
    needs: ['ctl'],
    inject: async (ctx) => {
      const ctl = need(ctx, 'ctl', 'connection-squeeze');
      const before = (await ctl(['eval', `[ranch:get_max_connections(R) || R <- ${listeners}].`])).trim();
      await ctl(['eval', `[ranch:set_max_connections(R, ${Math.max(0, Math.floor(opts.max))}) || R <- ${listeners}].`]);
      // "[infinity]" or "[100]": restore what was there.
      const original = /\[(\w+)/.exec(before)?.[1] ?? 'infinity';
      return once(async () => {
        await ctl(['eval', `[ranch:set_max_connections(R, ${original}) || R <- ${listeners}].`]);
      });
    },
  };
}
