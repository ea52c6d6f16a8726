import type { ChannelModel } from 'amqplib';
import { connectAmqp } from '../amqp/connect.ts';
import type { NodeChoice } from '../amqp/node-choice.ts';
import { PublishFailedError, type PublisherContext } from './publisher.ts';

/**
 * Opens a connection of its own for one call, named for the unit and the call, counted in the unit's
 * metrics and kept in `open` until it closes (whoever closes it). For the publishers that connect per call.
 */
export async function openCallConnection(
  ctx: PublisherContext,
  seq: number,
  open: Set<ChannelModel>,
  nodes: NodeChoice,
  onClose?: () => void,
): Promise<ChannelModel> {
  const { metrics } = ctx;
  let conn: ChannelModel;
  try {
    conn = await connectAmqp(nodes.current(), `ingest-unit-${ctx.unit}#${seq}`, ctx.connectTimeoutMs);
  } catch (err) {
    // A unit stays on its node until that node stops answering (e.g. at its connection_max), so on a
    // cluster the leak saturates the nodes one after the other.
    nodes.failover();
    metrics.publishFailures.inc({ reason: 'connect' });
    throw new PublishFailedError('connect', `could not open a broker connection: ${(err as Error).message}`);
  }
  metrics.connectionsOpened.inc();
  metrics.connectionsOpen.inc();
  open.add(conn);
  // A listener only so a broker-side close does not crash the unit.
  conn.on('error', () => {});
  conn.once('close', () => {
    open.delete(conn);
    metrics.connectionsClosed.inc();
    metrics.connectionsOpen.dec();
    onClose?.();
  });
  return conn;
}
