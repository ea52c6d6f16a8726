import { need, once, type Fault } from '../fault.ts';

/** Stops the broker node and starts it again after `downMs`: every connection drops at once. */
export function brokerRestart(opts: { downMs?: number } = {}): Fault {
  const downMs = opts.downMs ?? 0;
  return {
    kind: 'broker-restart',
    description: `broker restart (down ${downMs} ms plus its start time)`,
    needs: ['restartBroker'],
    inject: async (ctx) => {
      const restart = need(ctx, 'restartBroker', 'broker-restart');
      // The restart runs in the background so the timeline moves on; revert waits for the node to be back.
      const back = restart(downMs).catch((err: Error) => ctx.log(`broker restart failed: ${err.message}`));
      return once(async () => {
        await back;
      });
    },
  };
}
