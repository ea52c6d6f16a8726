import type { ChannelModel } from 'amqplib';
import { connectAmqp } from '../amqp/connect.ts';
import { PublishFailedError, type PublisherContext } from './publisher.ts';

/**
 * Opens a connection of its own for one call, named for the unit and the call, counted in the unit's
 * metrics and kept in `open` until it closes (whoever closes it). For the publishers that connect per call.
 */
export async function openCallConnection(
  ctx: PublisherContext,
  seq: number,
  open: Set<ChannelModel>,
  onClose?: () => void,
): Promise<ChannelModel> {
  const { metrics } = ctx;
  let conn: ChannelModel;
  try {
    conn = await connectAmqp(ctx.amqpUrl, `ingest-unit-${ctx.unit}#${seq}`, ctx.connectTimeoutMs);
  } catch (err) {
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
