import { createServer } from 'node:http';
import { answerClientError } from './http/client-error.ts';
import { AggregatorRegistry } from 'prom-client';
import type { ServiceConfig } from './config.ts';
import { createHandler, type UnitState } from './http/handler.ts';
import { createPrimaryClient, isOurs } from './ipc.ts';
import { createLogger } from './log.ts';
import { createUnitMetrics } from './metrics.ts';
import { createPublisher } from './publishers/index.ts';

/** One cluster worker: HTTP on the shared port, its own publisher, metrics answered to the primary. */
export async function runUnit(config: ServiceConfig, unit: number): Promise<void> {
  const log = createLogger(`unit=${unit} publisher=${config.publisher}`);
  const metrics = createUnitMetrics(unit, config.publisher);
  // Constructing it installs prom-client's worker-side listener that answers the primary's aggregation.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([metrics.registry]);

  const primary = createPrimaryClient();
  const state: UnitState = { clusterReady: false, draining: false, inFlight: 0 };
  const publisher = createPublisher(config.publisher, {
    unit,
    amqpUrls: config.amqpUrls,
    exchange: config.exchange,
    connectTimeoutMs: config.connectTimeoutMs,
    confirmTimeoutMs: config.confirmTimeoutMs,
    metrics,
    log,
  });

  const server = createServer(createHandler({ unit, bodyLimitBytes: config.bodyLimitBytes, publisher, metrics, primary, state, log }));
  server.on('clientError', answerClientError);
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;

  let shuttingDown: Promise<void> | null = null;
  const shutdown = (why: string): Promise<void> => {
    shuttingDown ??= (async () => {
      log.info(`shutting down (${why}): draining ${state.inFlight} in-flight request(s), up to ${config.drainTimeoutMs} ms`);
      state.draining = true;
      server.close();
      server.closeIdleConnections();
      const deadline = Date.now() + config.drainTimeoutMs;
      while (state.inFlight > 0 && Date.now() < deadline) await sleep(20);
      if (state.inFlight > 0) log.warn(`drain timed out with ${state.inFlight} request(s) in flight; closing them`);
      server.closeAllConnections();
      await publisher.close(2_000);
      log.info('closed');
      process.exit(0);
    })();
    return shuttingDown;
  };

  // Registered before the first connection attempt, so even a unit still starting closes it cleanly.
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // The primary is gone (crashed or killed): a unit must not outlive it.
  process.on('disconnect', () => void shutdown('primary disconnected'));
  process.on('message', (message: unknown) => {
    if (isOurs(message) && message.t === 'rg:cluster-ready') state.clusterReady = true;
  });

  // The first connection attempt comes before listening, so a unit that says healthy already holds
  // its connection (when the broker is up) and the broker's idle baseline is taken with it.
  await publisher.start();
  if (shuttingDown) return;

  const reportState = () => primary.send({ t: 'rg:unit-state', unit, listening: server.listening, ready: publisher.status().ready, port: portOf(server) });
  setInterval(reportState, 1_000).unref();

  server.on('error', (err: NodeJS.ErrnoException) => {
    log.error(`cannot listen on ${config.host}:${config.port}: ${err.message}${err.code === 'EADDRINUSE' ? ' (the port is taken; choose another PORT)' : ''}`);
    process.exit(3);
  });
  server.listen(config.port, config.host, () => {
    reportState();
  });
}

function portOf(server: import('node:http').Server): number | undefined {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
