// 10,000 generated malformed calls (seeded: the same every run) against the reference service, a few
// at a time: every answer must be a 4xx with a JSON error, nothing may reach the broker, and the
// service must come out of it alive and healthy. test/service/bad-input.int.test.ts covers each
// class once by hand; this one covers their combinations with real scenario bodies at volume.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedRabbitNode } from '../../harness/stack/rabbitmq-node.ts';
import { leaseBroker } from '../helpers/shared-broker.ts';
import { startVerificationTap, type VerificationTap } from '../../harness/verify/tap.ts';
import { requestIdFor } from '../../scenarios/payloads.ts';
import { spawnService, type SpawnedService } from '../helpers/spawn-service.ts';
import { generateMalformedRequests, MALFORMED_TOTAL, type MalformedRequest } from './malformed-requests.ts';

const SEED = 20_240_301;
const RUN_ID = 'fuzz01';
const CONCURRENCY = 16;
const EXCHANGE = 'rushgate.items';

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

interface UnitsAnswer {
  units: Array<{ unit: number; pid: number; restarts: number; listening: boolean }>;
}

describe('10,000 malformed requests to the reference service', () => {
  let node: StartedRabbitNode;
  let service: SpawnedService;
  let tap: VerificationTap;
  let requests: MalformedRequest[];

  beforeAll(async () => {
    // First: generating takes a couple of seconds of blocked event loop, which would otherwise outlast
    // the keep-alive sockets the readiness checks left open.
    requests = generateMalformedRequests(SEED, RUN_ID);
    node = await leaseBroker();
    service = await spawnService({ amqpUrl: node.amqpUrl, publisher: 'shared', units: 2 });
    tap = await startVerificationTap({ amqpUrl: node.amqpUrl, exchange: EXCHANGE, runId: RUN_ID, expectedRequests: MALFORMED_TOTAL + 1 });
  }, 90_000);
  afterAll(async () => {
    await tap?.stop();
    await service?.stop();
    await node?.stop();
  });

  it('answers every one with a 4xx JSON error, publishes none, and stays up', { timeout: 300_000 }, async () => {
    expect(requests).toHaveLength(10_000);
    const unitsBefore = await getJson<UnitsAnswer>(`${service.url}/units`);

    const big = bigBody();
    const problems = new Map<string, { count: number; examples: string[] }>();
    const fiveXx = new Map<string, number>();
    const statusByClass = new Map<string, Record<string, number>>();
    const note = (key: string, example: string) => {
      const entry = problems.get(key) ?? { count: 0, examples: [] };
      entry.count++;
      if (entry.examples.length < 3) entry.examples.push(example);
      problems.set(key, entry);
    };

    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const r = requests[next++] as MalformedRequest;
        const what = `#${r.seq} ${r.method} ${r.path.slice(0, 80)} (${r.detail})`;
        let answer: Answer;
        try {
          answer = await send(service.url, r, big);
        } catch (err) {
          note(`${r.cls}: no answer`, `${what}: ${(err as Error).message}`);
          continue;
        }
        if (r.cls !== 'bad-request-id') tap.recordOutcome(r.seq, answer.status);
        const counts = statusByClass.get(r.cls) ?? {};
        counts[answer.status] = (counts[answer.status] ?? 0) + 1;
        statusByClass.set(r.cls, counts);
        if (answer.status >= 500) fiveXx.set(`${r.cls} -> ${answer.status}`, (fiveXx.get(`${r.cls} -> ${answer.status}`) ?? 0) + 1);
        const allowed = r.expect[answer.status];
        let error: unknown;
        let message: unknown;
        try {
          ({ error, message } = JSON.parse(answer.text) as { error?: unknown; message?: unknown });
        } catch {
          note(`${r.cls}: body is not JSON`, `${what}: ${answer.status} ${answer.text.slice(0, 80)}`);
          continue;
        }
        if (!answer.contentType.startsWith('application/json')) note(`${r.cls}: content-type ${answer.contentType}`, what);
        if (typeof message !== 'string' || message.length < 10) note(`${r.cls}: no readable message`, `${what}: ${answer.text.slice(0, 80)}`);
        if (!allowed) note(`${r.cls}: status ${answer.status}`, `${what}: ${answer.text.slice(0, 160)}`);
        else if (!allowed.includes(String(error))) note(`${r.cls}: error ${String(error)}`, `${what}: ${answer.text.slice(0, 160)}`);
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const elapsedMs = Date.now() - started;
    console.log(`malformed requests: ${requests.length} in ${elapsedMs} ms; statuses by class: ${JSON.stringify(Object.fromEntries(statusByClass))}`);

    expect(Object.fromEntries(fiveXx), 'requests answered 5xx, by class').toEqual({});
    expect(Object.fromEntries(problems), 'answers that were not the expected 4xx JSON error').toEqual({});

    // Nothing reached the broker: the tap (bound before the first request) stays empty.
    await tap.drain({ quietMs: 1_000, timeoutMs: 10_000 });
    expect(tap.messages()).toBe(0);
    expect(tap.reconcile().refusedButPublished.count).toBe(0);
    expect(await getJson(`${service.url}/traceability`)).toMatchObject({ accepted: 0, waiting: 0 });

    // No crash: the same unit processes, never restarted, and healthy.
    let exited = false;
    void service.exited.then(() => (exited = true));
    await new Promise((r) => setImmediate(r));
    expect(exited).toBe(false);
    const unitsAfter = await getJson<UnitsAnswer>(`${service.url}/units`);
    expect(unitsAfter.units.map((u) => ({ unit: u.unit, pid: u.pid, restarts: u.restarts }))).toEqual(
      unitsBefore.units.map((u) => ({ unit: u.unit, pid: u.pid, restarts: 0 })),
    );
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);

    // And the tap does see a valid call, so "nothing published" above is not vacuous.
    const id = requestIdFor(RUN_ID, MALFORMED_TOTAL);
    const ok = await fetch(`${service.url}/api/v1/stores/store-1/items/sku-1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-request-id': id },
      body: JSON.stringify({ id: 'sku-1', name: 'Milk 1L', price: 1.19, currency: 'EUR' }),
    });
    expect(ok.status).toBe(202);
    tap.recordOutcome(MALFORMED_TOTAL, ok.status);
    await tap.drain({ quietMs: 500, timeoutMs: 10_000 });
    const report = tap.reconcile();
    expect(report).toMatchObject({ messages: 1, arrived: 1, acknowledged: 1, refused: 10_000 - 500 });
    expect(report.acknowledgedButLost.count).toBe(0);
  });
});

/** 10 MB of a real, valid batch (items repeated): only the body limit stands between it and the broker. */
function bigBody(): Buffer {
  const item = JSON.stringify({ id: 'sku-00000001', name: 'Alpen whole milk 1 L', price: 1.19, currency: 'EUR', ean: '4006381333931' });
  const n = Math.ceil((10 * 1024 * 1024) / (item.length + 1));
  return Buffer.from(`[${Array.from({ length: n }, () => item).join(',')}]`);
}

async function send(base: string, r: MalformedRequest, big: Buffer): Promise<Answer> {
  const init: RequestInit & { duplex?: 'half' } = { method: r.method, headers: r.headers, signal: AbortSignal.timeout(30_000) };
  if (r.body !== undefined) {
    if (typeof r.body === 'string' || Buffer.isBuffer(r.body)) {
      init.body = r.body;
    } else {
      const bytes = big.subarray(0, r.body.bytes);
      init.body = r.body.chunked ? chunks(bytes) : bytes;
      if (r.body.chunked) init.duplex = 'half';
    }
  }
  const res = await fetch(`${base}${r.path}`, init);
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** A stream body: fetch sends it chunked, without a Content-Length the service could refuse up front. */
function chunks(bytes: Buffer): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + 64 * 1024));
      offset += 64 * 1024;
    },
  });
}

async function getJson<T = unknown>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return (await res.json()) as T;
}
