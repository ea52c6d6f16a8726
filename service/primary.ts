import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, Counter, Gauge, Registry } from 'prom-client';
import { closeQuietly, connectAmqp } from './amqp/connect.ts';
import type { ServiceConfig } from './config.ts';
import { startConsumer, type Consumer } from './consumer.ts';
import { isOurs, type PrimaryToUnit, type Question, type UnitToPrimary } from './ipc.ts';
import { createLogger, type Logger } from './log.ts';
import { redactUrl } from './redact-url.ts';
import { TraceStore } from './traceability.ts';

interface UnitSlot {
  unit: number;
  worker: Worker;
  listening: boolean;
  everListened: boolean;
  ready: boolean;
  restarts: number;
}

/**
 * The cluster primary: forks UNITS workers on one port, keeps the traceability statuses (fed by the units
 * and the consumer), aggregates metrics for whichever unit is scraped, and shuts everything down in order.
 */
export async function runPrimary(config: ServiceConfig): Promise<void> {
  const log = createLogger(`primary publisher=${config.publisher}`);
  log.info(`starting ${config.units} unit(s); broker ${redactUrl(config.amqpUrl)}; exchange ${config.exchange}; queue ${config.consumer ? config.queue : '(no consumer)'}`);

  const trace = new TraceStore();
  const metrics = createPrimaryMetrics(trace);
  const aggregator = new AggregatorRegistry();

  const slots = new Map<number, UnitSlot>();
  let clusterReady = false;
  let shuttingDown = false;
  let consumer: Consumer | null = null;

  const shutdown = async (exitCode: number, why: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info(`shutting down (${why})`);
    const workers = [...slots.values()].map((s) => s.worker).filter((w) => !w.isDead());
    const gone = Promise.all(workers.map((w) => new Promise<void>((resolve) => (w.isDead() ? resolve() : w.once('exit', () => resolve())))));
    // A signal rather than an IPC message: a unit still loading its modules has no listener yet, and
    // the default action (exit) is right for it.
    for (const w of workers) w.process.kill('SIGTERM');
    const graceMs = config.drainTimeoutMs + 4_000;
    const timer = setTimeout(() => {
      for (const w of workers) if (!w.isDead()) {
        log.warn(`unit pid ${w.process.pid} did not stop within ${graceMs} ms; killing it`);
        w.process.kill('SIGKILL');
      }
    }, graceMs);
    await gone;
    clearTimeout(timer);
    if (consumer) await consumer.close(2_000);
    log.info('stopped');
    process.exit(exitCode);
  };

  // Registered first, so a signal during start-up still closes the consumer's connection cleanly.
  process.on('SIGTERM', () => void shutdown(0, 'SIGTERM'));
  process.on('SIGINT', () => void shutdown(0, 'SIGINT'));

  if (config.consumer) {
    consumer = startConsumer({
      amqpUrls: config.amqpUrls,
      exchange: config.exchange,
      queue: config.queue,
      queueType: config.queueType,
      connectTimeoutMs: config.connectTimeoutMs,
      processingMs: config.processingMs,
      log,
      onProcessed(id) {
        metrics.consumed.inc();
        if (id) trace.processed(id);
      },
      onConnection: (open) => metrics.consumerConnected.set(open ? 1 : 0),
    });
    await consumer.started;
  } else {
    await declareExchange(config, log);
  }
  if (shuttingDown) return;

  const send = (worker: Worker, message: PrimaryToUnit) => {
    if (worker.isConnected()) worker.send(message);
  };

  const fork = (unit: number, restarts = 0) => {
    const worker = cluster.fork({ UNIT_INDEX: String(unit) });
    slots.set(unit, { unit, worker, listening: false, everListened: false, ready: false, restarts });
  };

  const answer = async (q: Question): Promise<unknown> => {
    switch (q) {
      case 'metrics':
        return `${await aggregator.clusterMetrics()}\n${await metrics.registry.metrics()}`;
      case 'traceability':
        return trace.counts();
      case 'units':
        return {
          publisher: config.publisher,
          clusterReady,
          units: [...slots.values()].map((s) => ({ unit: s.unit, pid: s.worker.process.pid, listening: s.listening, ready: s.ready, restarts: s.restarts })),
        };
    }
  };

  cluster.on('message', (worker: Worker, message: unknown) => {
    if (!isOurs(message)) return;
    const m = message as UnitToPrimary;
    if (m.t === 'rg:trace') {
      if (m.op === 'accepted') trace.accepted(m.id);
      else trace.withdrawn(m.id);
    } else if (m.t === 'rg:unit-state') {
      const slot = slots.get(m.unit);
      if (!slot || slot.worker !== worker) return;
      slot.listening = m.listening;
      slot.ready = m.ready;
      if (m.listening && !slot.everListened) {
        slot.everListened = true;
        if (clusterReady) send(worker, { t: 'rg:cluster-ready' });
      }
      if (!clusterReady && [...slots.values()].every((s) => s.listening)) {
        clusterReady = true;
        for (const s of slots.values()) send(s.worker, { t: 'rg:cluster-ready' });
        log.info(`ready: ${config.units} unit(s) listening on http://${config.host}:${m.port ?? config.port}`);
      }
    } else if (m.t === 'rg:ask') {
      answer(m.q).then(
        (value) => send(worker, { t: 'rg:answer', rid: m.rid, ok: true, value }),
        (err: Error) => send(worker, { t: 'rg:answer', rid: m.rid, ok: false, error: err.message }),
      );
    }
  });

  cluster.on('exit', (worker, code, signal) => {
    const slot = [...slots.values()].find((s) => s.worker === worker);
    if (!slot) return;
    slot.listening = false;
    slot.ready = false;
    if (shuttingDown) return;
    if (!slot.everListened) {
      log.error(`unit ${slot.unit} exited (code ${code}, signal ${signal}) before it could listen; giving up`);
      void shutdown(3, 'a unit could not start');
    } else if (code !== 0 || signal) {
      log.error(`unit ${slot.unit} died (code ${code}, signal ${signal}); starting it again`);
      setTimeout(() => !shuttingDown && fork(slot.unit, slot.restarts + 1), 1_000);
    } else if (![...slots.values()].some((s) => s.worker.isConnected())) {
      void shutdown(0, 'every unit stopped');
    }
  });

  for (let unit = 1; unit <= config.units; unit++) fork(unit);
}

function createPrimaryMetrics(trace: TraceStore) {
  const registry = new Registry();
  registry.setDefaultLabels({ unit: 'primary' });
  const registers = [registry];
  new Gauge({
    name: 'ingest_trace_events',
    help: 'Traceability events by status (waiting = accepted but neither processed nor withdrawn)',
    labelNames: ['status'] as const,
    registers,
    collect() {
      const c = trace.counts();
      this.set({ status: 'accepted' }, c.accepted);
      this.set({ status: 'processed' }, c.processed);
      this.set({ status: 'waiting' }, c.waiting);
      this.set({ status: 'withdrawn' }, c.withdrawn);
    },
  });
  return {
    registry,
    consumed: new Counter({ name: 'ingest_consumer_messages_total', help: 'Messages the consumer processed (redeliveries included)', registers }),
    consumerConnected: new Gauge({ name: 'ingest_consumer_connected', help: '1 while the consumer holds its broker connection', registers }),
  };
}

/** Without a consumer nobody declares the exchange; leaky/per-request publishers do not check it. */
async function declareExchange(config: ServiceConfig, log: Logger): Promise<void> {
  try {
    const conn = await connectAmqp(config.amqpUrls[0] ?? config.amqpUrl, 'ingest-setup', config.connectTimeoutMs);
    const ch = await conn.createChannel();
    await ch.assertExchange(config.exchange, 'topic', { durable: true });
    await closeQuietly(conn);
  } catch (err) {
    log.warn(`could not declare exchange ${config.exchange}: ${(err as Error).message}`);
  }
}
