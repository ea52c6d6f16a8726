import { connect, type Socket } from 'node:net';
import { need, type Fault } from '../fault.ts';
import { changeSetting, stashedSetting } from './stashed-setting.ts';

// connection_max is enforced by the AMQP listener's ranch max_connections; changing it squeezes live.
// The AMQP listeners are the ones running rabbit_connection_sup: the management and Prometheus listeners
// are ranch listeners too (cowboy), and a container's port is not the one the harness connects to.
export const AMQP_LISTENERS = '[R || {R, #{protocol := rabbit_connection_sup}} <- maps:to_list(ranch:info())]';

// The AMQP 0-9-1 protocol header: a broker answers it with connection.start at once.
const AMQP_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]);
const ANSWER_WAIT_MS = 300;
const MAX_FILLERS = 64;

/**
 * Lowers the node's connection limit at run time; new connections past it get no answer (the TCP connect
 * succeeds, the broker never speaks), the saturation signature of the incident.
 *
 * The limit is soft: each ranch acceptor (10 on RabbitMQ) takes one more connection before it notices
 * the limit and sleeps, so with `max: 0` ten reconnects would still get through. The fault therefore
 * opens bare sockets until one goes unanswered (every acceptor is asleep), then closes them: an acceptor
 * is only woken when the count drops below the limit, so the squeeze holds until the revert raises it.
 */
export function connectionSqueeze(opts: { max: number }): Fault {
  const max = Math.max(0, Math.floor(opts.max));
  return {
    kind: 'connection-squeeze',
    description: `connection limit squeezed to ${max}`,
    needs: ['erl', 'amqpAddress'],
    inject: async (ctx) => {
      const erl = need(ctx, 'erl', 'connection-squeeze');
      const address = need(ctx, 'amqpAddress', 'connection-squeeze');
      // Read and set in the same call, so nothing can change the limit in between. The first listener's limit
      // is the one to put back (a dual-stack node has two with the same limit).
      const { old, revert } = await changeSetting(
        erl,
        stashedSetting(
          `case [ranch:get_max_connections(R) || R <- ${AMQP_LISTENERS}] of [] -> none; [H | _] -> H end`,
          `[ranch:set_max_connections(R, ${max}) || R <- ${AMQP_LISTENERS}]`,
          `[ranch:set_max_connections(R, Old) || R <- ${AMQP_LISTENERS}]`,
        ),
      );
      // "infinity" or "200": what was there.
      if (!/^(infinity|\d+)$/.test(old)) {
        await revert().catch(() => {});
        throw new Error(`the broker has no AMQP listener to squeeze (ranch said ${old})`);
      }
      const absorbed = await absorbAcceptors(address);
      ctx.log(`connection limit squeezed to ${max} (was ${old}); ${absorbed} bare connections let the acceptors reach it`);
      return revert;
    },
  };
}

/** Opens bare sockets until the broker stops answering, then closes them; returns how many it took. */
async function absorbAcceptors(address: { host: string; port: number }): Promise<number> {
  const sockets: Socket[] = [];
  try {
    for (let i = 0; i < MAX_FILLERS; i++) {
      const socket = connect({ host: address.host, port: address.port, noDelay: true });
      sockets.push(socket);
      socket.on('error', () => {});
      const answered = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), ANSWER_WAIT_MS);
        socket.once('connect', () => socket.write(AMQP_HEADER));
        socket.once('data', () => {
          clearTimeout(timer);
          resolve(true);
        });
        socket.once('close', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      if (!answered) return i;
    }
    return MAX_FILLERS;
  } finally {
    for (const s of sockets) s.destroy();
  }
}
