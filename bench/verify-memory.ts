// Benchmark (not a test): the verification tap's memory. The budget is 150 MB of harness RSS, flat in
// the number of requests. Two parts:
//   1. ledger only, at 100k, 1M and 5M requests (--sizes), each in a fresh child process so its peak
//      RSS is its own: outcomes and messages fed straight into the per-request arrays;
//   2. with --broker, through a real broker — a private RabbitMQ node, a child process publishing
//      --requests messages with messageId = `${runId}-${seq}` (as a target would), the tap consuming
//      them in this process. The child does the publishing so its buffers do not count against the harness.
// Usage: node --import tsx bench/verify-memory.ts [--sizes 100000,1000000,5000000] [--broker [--requests 1000000]]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import amqp from 'amqplib';
import { startRabbitNode } from '../harness/stack/rabbitmq-node.ts';
import { IdLedger } from '../harness/verify/id-ledger.ts';
import { startVerificationTap } from '../harness/verify/tap.ts';
import { requestIdFor } from '../scenarios/payloads.ts';

export const BUDGET_MB = 150;
const EXCHANGE = 'rushgate.bench';
const RUN_ID = 'bench01';
/** Every LOST_EVERY-th id is never published, so the reconciliation has a known answer to check. */
const LOST_EVERY = 1000;
const MB = 1024 * 1024;

const isMain = import.meta.url === `file://${process.argv[1]}`;
const { values } = parseArgs({
  // Imported by bench/index.ts: its flags are not ours.
  args: isMain ? process.argv.slice(2) : [],
  options: {
    requests: { type: 'string', default: '1000000' },
    sizes: { type: 'string', default: '100000,1000000,5000000' },
    broker: { type: 'boolean', default: false },
    'ledger-child': { type: 'string' },
    'publish-child': { type: 'string' },
  },
});
const requests = Number(values.requests);


export interface LedgerMemory {
  requests: number;
  startMb: number;
  peakMb: number;
  arraysMb: number;
  ms: number;
  lostOk: boolean;
}

/** One size, in this process: what a child reports. */
function ledgerOnly(n: number): LedgerMemory {
  const rss = new RssWatch();
  const started = performance.now();
  const ledger = new IdLedger({ runId: RUN_ID });
  for (let seq = 0; seq < n; seq++) {
    ledger.recordOutcome(seq, 200);
    if (seq % LOST_EVERY !== 0) ledger.recordMessage(requestIdFor(RUN_ID, seq));
    if (seq % 65_536 === 0) rss.sample();
  }
  const report = ledger.reconcile({ exchange: EXCHANGE, routingKey: '#' });
  const ms = performance.now() - started;
  rss.stop();
  return { requests: n, startMb: rss.startMb, peakMb: rss.peakMb, arraysMb: ledger.bytes() / MB, ms, lostOk: report.acknowledgedButLost.count === Math.ceil(n / LOST_EVERY) };
}

/** Each size in a fresh child process, so one size's peak does not carry into the next. */
export async function ledgerMemory(sizes: number[]): Promise<LedgerMemory[]> {
  const out: LedgerMemory[] = [];
  for (const n of sizes) {
    const text = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--ledger-child', String(n)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let buf = '';
      child.stdout.on('data', (d: Buffer) => (buf += String(d)));
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve(buf) : reject(new Error(`ledger child exited with ${code}`))));
    });
    out.push(JSON.parse(text) as LedgerMemory);
  }
  return out;
}

async function main(): Promise<void> {
  const expectedLost = Math.ceil(requests / LOST_EVERY);
  const sizes = values.sizes.split(',').map(Number);
  console.log(`verify-memory: ledger at ${sizes.map((n) => n.toLocaleString('en-US')).join(' / ')} requests, budget ${BUDGET_MB} MB RSS, node ${process.version}`);
  const failures: string[] = [];

  for (const m of await ledgerMemory(sizes)) {
    console.log(
      `ledger only, ${m.requests.toLocaleString('en-US').padStart(9)} requests: ${fmtMs(m.ms)}, arrays ${m.arraysMb.toFixed(1)} MB, ` +
        `RSS ${m.startMb.toFixed(0)} -> peak ${m.peakMb.toFixed(0)} MB${m.lostOk ? '' : ' (lost count WRONG)'}`,
    );
    if (!m.lostOk) failures.push(`ledger-only lost count is wrong at ${m.requests}`);
    if (m.peakMb > BUDGET_MB) failures.push(`ledger-only peak RSS ${m.peakMb.toFixed(0)} MB > ${BUDGET_MB} MB at ${m.requests}`);
  }

  if (values.broker) {
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
} else if (values['ledger-child']) {
  process.stdout.write(JSON.stringify(ledgerOnly(Number(values['ledger-child']))));
} else if (isMain) {
  await main();
}
