// Benchmark (not a test): the verification tap's memory with 1M requests. The budget is 200 MB of
// harness RSS. Two parts:
//   1. ledger only — 1M outcomes and 1M messages fed straight into the per-request arrays;
//   2. through a real broker — a private RabbitMQ node, a child process publishing 1M messages with
//      messageId = `${runId}-${seq}` (as a target would), the tap consuming them in this process.
// The child does the publishing so its buffers do not count against the harness.
// Usage: node --import tsx bench/verify-memory.ts [--requests 1000000] [--ledger-only]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import amqp from 'amqplib';
import { startRabbitNode } from '../harness/stack/rabbitmq-node.ts';
import { IdLedger } from '../harness/verify/id-ledger.ts';
import { startVerificationTap } from '../harness/verify/tap.ts';
import { requestIdFor } from '../scenarios/payloads.ts';

const BUDGET_MB = 200;
const EXCHANGE = 'rushgate.bench';
const RUN_ID = 'bench01';
/** Every LOST_EVERY-th id is never published, so the reconciliation has a known answer to check. */
const LOST_EVERY = 1000;
const MB = 1024 * 1024;

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '1000000' },
    'ledger-only': { type: 'boolean', default: false },
    'publish-child': { type: 'string' },
  },
});
const requests = Number(values.requests);


async function main(): Promise<void> {
  const expectedLost = Math.ceil(requests / LOST_EVERY);
  console.log(`verify-memory: ${requests.toLocaleString('en-US')} requests, budget ${BUDGET_MB} MB RSS, node ${process.version}`);
  const failures: string[] = [];

  {
    const rss = new RssWatch();
    const started = performance.now();
    const ledger = new IdLedger({ runId: RUN_ID });
    for (let seq = 0; seq < requests; seq++) {
      ledger.recordOutcome(seq, 200);
      if (seq % LOST_EVERY !== 0) ledger.recordMessage(requestIdFor(RUN_ID, seq));
    }
    const report = ledger.reconcile({ exchange: EXCHANGE, routingKey: '#' });
    const ms = performance.now() - started;
    rss.stop();
    console.log(
      `ledger only: ${fmtMs(ms)}, arrays ${(ledger.bytes() / MB).toFixed(1)} MB, ` +
        `RSS ${rss.startMb.toFixed(0)} -> peak ${rss.peakMb.toFixed(0)} MB, lost ${report.acknowledgedButLost.count} (expected ${expectedLost})`,
    );
    if (report.acknowledgedButLost.count !== expectedLost) failures.push('ledger-only lost count is wrong');
    if (rss.peakMb > BUDGET_MB) failures.push(`ledger-only peak RSS ${rss.peakMb.toFixed(0)} MB > ${BUDGET_MB} MB`);
  }

  if (!values['ledger-only']) {
    const node = await startRabbitNode();
    try {
      const setup = await amqp.connect(node.amqpUrl, { noDelay: true });
      const ch = await setup.createChannel();
      await ch.assertExchange(EXCHANGE, 'topic', { durable: false, autoDelete: false });
      await setup.close();

      const rss = new RssWatch();
      const tap = await startVerificationTap({ amqpUrl: node.amqpUrl, exchange: EXCHANGE, runId: RUN_ID });
      // The driver would report these as responses come in; all 2xx here.
      for (let seq = 0; seq < requests; seq++) tap.recordOutcome(seq, 200);
      const started = performance.now();
      await runChild(node.amqpUrl);
      const publishedMs = performance.now() - started;
      const drain = await tap.drain({ quietMs: 1_000, timeoutMs: 120_000 });
      // The drain ends quietMs after the last message arrived.
      const consumedMs = performance.now() - started - (drain.quiet ? 1_000 : 0);
      const t0 = performance.now();
      const report = tap.reconcile();
      const reconcileMs = performance.now() - t0;
      rss.stop();
      await tap.stop();
      const published = requests - expectedLost;
      console.log(
        `through the broker: published ${published.toLocaleString('en-US')} in ${fmtMs(publishedMs)}, ` +
          `tap received ${report.messages.toLocaleString('en-US')} (~${Math.round(report.messages / (consumedMs / 1000)).toLocaleString('en-US')} msg/s), ` +
          `reconciled in ${fmtMs(reconcileMs)}`,
      );
      console.log(
        `harness RSS: ${rss.startMb.toFixed(0)} MB before the tap -> peak ${rss.peakMb.toFixed(0)} MB ` +
          `(heap used peak ${rss.peakHeapMb.toFixed(0)} MB); lost ${report.acknowledgedButLost.count} (expected ${expectedLost}), ` +
          `drain ${drain.quiet ? 'quiet' : 'timed out'}`,
      );
      if (report.acknowledgedButLost.count !== expectedLost || report.arrived !== published) failures.push('broker reconciliation counts are wrong');
      if (rss.peakMb > BUDGET_MB) failures.push(`peak harness RSS ${rss.peakMb.toFixed(0)} MB > ${BUDGET_MB} MB`);
    } finally {
      await node.stop();
    }
  }

  console.log(failures.length === 0 ? `ok: within ${BUDGET_MB} MB and every count exact` : `FAIL: ${failures.join('; ')}`);
  process.exitCode = failures.length === 0 ? 0 : 1;
}

function runChild(amqpUrl: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--publish-child', amqpUrl, '--requests', String(requests)],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`publisher child exited with ${code}`))));
  });
}

/** The fake target: publishes every id except each LOST_EVERY-th, honouring the channel's back-pressure. */
async function publishChild(amqpUrl: string, n: number): Promise<void> {
  const model = await amqp.connect(amqpUrl, { noDelay: true });
  // No confirms: the tap's count is the check, and confirms would halve the rate on two shared cores.
  const ch = await model.createChannel();
  const body = Buffer.from('{"id":"sku-00000001","price":1.99,"currency":"EUR"}');
  for (let seq = 0; seq < n; seq++) {
    if (seq % LOST_EVERY === 0) continue;
    const ok = ch.publish(EXCHANGE, 'item.update', body, { messageId: requestIdFor(RUN_ID, seq) });
    if (!ok) await new Promise((r) => ch.once('drain', r));
  }
  await ch.close(); // flushes what is still buffered
  await model.close();
}

class RssWatch {
  readonly startMb = process.memoryUsage().rss / MB;
  peakMb = this.startMb;
  peakHeapMb = process.memoryUsage().heapUsed / MB;
  private readonly timer = setInterval(() => this.sample(), 100);
  sample(): void {
    const m = process.memoryUsage();
    this.peakMb = Math.max(this.peakMb, m.rss / MB);
    this.peakHeapMb = Math.max(this.peakHeapMb, m.heapUsed / MB);
  }
  stop(): void {
    this.sample();
    clearInterval(this.timer);
  }
}

function fmtMs(ms: number): string {
  return ms < 10_000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

// Last, so the class above is initialised before anything runs.
if (values['publish-child']) {
  await publishChild(values['publish-child'], requests);
} else {
  await main();
}
