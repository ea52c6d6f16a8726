import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import amqp, { type Channel, type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedRabbitNode } from '../../harness/stack/rabbitmq-node.ts';
import { leaseBroker } from '../helpers/shared-broker.ts';
import { brokerConnections } from '../helpers/broker-view.ts';
import { spawnService, type SpawnedService } from '../helpers/spawn-service.ts';

// Every class of bad request gets its own 4xx naming the problem, and none of them reaches the broker:
// a tap queue bound to the service's exchange sees nothing until the one valid control request.

const EXCHANGE = 'rushgate.items';
const JSON_TYPE = { 'content-type': 'application/json' };
const good = { id: 'sku-1', name: 'Milk 1L', price: 1.19, currency: 'EUR' };
const goodItems = (n: number) => Array.from({ length: n }, (_, i) => ({ ...good, id: `sku-${i}` }));
const PUT = '/api/v1/stores/store-1/items/sku-1';
const BATCH = '/api/v1/stores/store-1/items';
const MATCH = '/api/v1/stores/store-1/matchings';

interface BadCase {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  status: number;
  error: string;
  field: string | null;
}

const CASES: BadCase[] = [
  { name: 'broken JSON', method: 'PUT', path: PUT, headers: JSON_TYPE, body: '{"id":"sku-1",', status: 400, error: 'invalid_json', field: 'body' },
  { name: 'empty body', method: 'PUT', path: PUT, headers: JSON_TYPE, body: '', status: 400, error: 'invalid_json', field: 'body' },
  { name: 'price as a string', method: 'PUT', path: PUT, headers: JSON_TYPE, body: JSON.stringify({ ...good, price: '1.19' }), status: 400, error: 'invalid_body', field: 'price' },
  { name: 'name as a number', method: 'PUT', path: PUT, headers: JSON_TYPE, body: JSON.stringify({ ...good, name: 42 }), status: 400, error: 'invalid_body', field: 'name' },
  { name: 'labelIds not an array', method: 'PUT', path: PUT, headers: JSON_TYPE, body: JSON.stringify({ ...good, labelIds: 'lbl-1' }), status: 400, error: 'invalid_body', field: 'labelIds' },
  { name: 'array where an object belongs', method: 'PUT', path: PUT, headers: JSON_TYPE, body: JSON.stringify([good]), status: 400, error: 'invalid_body', field: 'body' },
  { name: 'missing name', method: 'PUT', path: PUT, headers: JSON_TYPE, body: JSON.stringify({ id: 'sku-1', price: 1, currency: 'EUR' }), status: 400, error: 'invalid_body', field: 'name' },
  { name: 'missing currency', method: 'PUT', path: PUT, headers: JSON_TYPE, body: JSON.stringify({ id: 'sku-1', name: 'x', price: 1 }), status: 400, error: 'invalid_body', field: 'currency' },
  { name: 'negative price', method: 'PUT', path: PUT, headers: JSON_TYPE, body: JSON.stringify({ ...good, price: -0.01 }), status: 400, error: 'invalid_body', field: 'price' },
  { name: 'lower-case currency', method: 'PUT', path: PUT, headers: JSON_TYPE, body: JSON.stringify({ ...good, currency: 'eur' }), status: 400, error: 'invalid_body', field: 'currency' },
  { name: 'unknown currency', method: 'PUT', path: PUT, headers: JSON_TYPE, body: JSON.stringify({ ...good, currency: 'XYZ' }), status: 400, error: 'invalid_body', field: 'currency' },
  { name: 'bad EAN', method: 'PUT', path: PUT, headers: JSON_TYPE, body: JSON.stringify({ ...good, ean: '12ab' }), status: 400, error: 'invalid_body', field: 'ean' },
  { name: 'body id differs from the path', method: 'PUT', path: PUT, headers: JSON_TYPE, body: JSON.stringify({ ...good, id: 'sku-2' }), status: 400, error: 'invalid_body', field: 'id' },
  { name: 'batch of 0', method: 'POST', path: BATCH, headers: JSON_TYPE, body: '[]', status: 400, error: 'invalid_body', field: 'body' },
  { name: 'batch of 1001', method: 'POST', path: BATCH, headers: JSON_TYPE, body: JSON.stringify(goodItems(1001)), status: 400, error: 'invalid_body', field: 'body' },
  { name: 'batch with one bad item', method: 'POST', path: BATCH, headers: JSON_TYPE, body: JSON.stringify([...goodItems(3), { ...good, price: -1 }]), status: 400, error: 'invalid_body', field: '[3].price' },
  { name: 'batch that is an object', method: 'POST', path: BATCH, headers: JSON_TYPE, body: JSON.stringify(good), status: 400, error: 'invalid_body', field: 'body' },
  { name: 'matching without itemId', method: 'POST', path: MATCH, headers: JSON_TYPE, body: JSON.stringify([{ labelId: 'lbl-1' }]), status: 400, error: 'invalid_body', field: '[0].itemId' },
  { name: 'matching with numeric labelId', method: 'POST', path: MATCH, headers: JSON_TYPE, body: JSON.stringify([{ labelId: 7, itemId: 'sku-1' }]), status: 400, error: 'invalid_body', field: '[0].labelId' },
  { name: 'deeply nested JSON', method: 'POST', path: MATCH, headers: JSON_TYPE, body: '['.repeat(100_000) + ']'.repeat(100_000), status: 400, error: 'invalid_body', field: '[0]' },
  { name: 'oversize body (2 MB)', method: 'POST', path: BATCH, headers: JSON_TYPE, body: Buffer.alloc(2 * 1024 * 1024, 0x20), status: 413, error: 'payload_too_large', field: 'body' },
  { name: 'oversize body (10 MB)', method: 'POST', path: BATCH, headers: JSON_TYPE, body: Buffer.alloc(10 * 1024 * 1024, 0x20), status: 413, error: 'payload_too_large', field: 'body' },
  { name: 'text/plain content type', method: 'PUT', path: PUT, headers: { 'content-type': 'text/plain' }, body: JSON.stringify(good), status: 415, error: 'unsupported_media_type', field: 'content-type' },
  { name: 'form content type', method: 'POST', path: BATCH, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1', status: 415, error: 'unsupported_media_type', field: 'content-type' },
  { name: 'gzip content encoding', method: 'PUT', path: PUT, headers: { ...JSON_TYPE, 'content-encoding': 'gzip' }, body: JSON.stringify(good), status: 415, error: 'unsupported_media_type', field: 'content-encoding' },
  { name: 'storeId with a space', method: 'PUT', path: '/api/v1/stores/store%201/items/sku-1', headers: JSON_TYPE, body: JSON.stringify(good), status: 400, error: 'invalid_path', field: 'storeId' },
  { name: 'itemId too long', method: 'PUT', path: `/api/v1/stores/store-1/items/${'a'.repeat(65)}`, headers: JSON_TYPE, body: JSON.stringify({ ...good, id: 'a'.repeat(65) }), status: 400, error: 'invalid_path', field: 'itemId' },
  { name: 'storeId starting with a dot', method: 'POST', path: '/api/v1/stores/.hidden/items', headers: JSON_TYPE, body: JSON.stringify([good]), status: 400, error: 'invalid_path', field: 'storeId' },
  { name: 'broken percent-encoding', method: 'POST', path: '/api/v1/stores/%E0%A4%A/matchings', headers: JSON_TYPE, body: '[]', status: 400, error: 'invalid_path', field: 'storeId' },
  { name: 'unknown path', method: 'POST', path: '/api/v1/stores/store-1/prices', headers: JSON_TYPE, body: '{}', status: 404, error: 'not_found', field: null },
  { name: 'wrong method', method: 'POST', path: PUT, headers: JSON_TYPE, body: JSON.stringify(good), status: 405, error: 'method_not_allowed', field: null },
  { name: 'price 1e400 (Infinity)', method: 'PUT', path: PUT, headers: JSON_TYPE, body: '{"id":"sku-1","name":"x","price":1e400,"currency":"EUR"}', status: 400, error: 'invalid_body', field: 'price' },
  { name: 'invalid UTF-8 in a JSON string', method: 'PUT', path: PUT, headers: JSON_TYPE, body: Buffer.concat([Buffer.from('{"id":"sku-1","name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('","price":1,"currency":"EUR"}')]), status: 400, error: 'invalid_encoding', field: 'body' },
  { name: 'latin-1 charset', method: 'PUT', path: PUT, headers: { 'content-type': 'application/json; charset=iso-8859-1' }, body: JSON.stringify(good), status: 415, error: 'unsupported_media_type', field: 'content-type' },
  { name: 'invalid X-Request-Id', method: 'PUT', path: PUT, headers: { ...JSON_TYPE, 'x-request-id': 'has space' }, body: JSON.stringify(good), status: 400, error: 'invalid_header', field: 'x-request-id' },
];

let node: StartedRabbitNode;
beforeAll(async () => {
  node = await leaseBroker();
});
afterAll(async () => {
  await node?.stop();
});

describe.each(['shared', 'leaky'] as const)('bad input to the %s service', (publisher) => {
  let service: SpawnedService;
  let tapConn: ChannelModel;
  let tap: Channel;
  const tapped: Array<string | undefined> = [];

  beforeAll(async () => {
    service = await spawnService({ amqpUrl: node.amqpUrl, publisher });
    tapConn = await amqp.connect(node.amqpUrl, { noDelay: true });
    tap = await tapConn.createChannel();
    const { queue } = await tap.assertQueue('', { exclusive: true });
    await tap.bindQueue(queue, EXCHANGE, '#');
    await tap.consume(queue, (m) => m && tapped.push(m.properties.messageId as string | undefined), { noAck: true });
  }, 90_000);
  afterAll(async () => {
    await tapConn?.close().catch(() => {});
    await service?.stop();
  });

  it.each(CASES)('$name -> $status $error ($field)', async (c) => {
    const res = await fetch(`${service.url}${c.path}`, { method: c.method, headers: c.headers, body: c.body });
    const body = (await res.json()) as { error: string; field: string | null; message: string; requestId: string };
    expect(res.status).toBe(c.status);
    expect(body).toMatchObject({ error: c.error, field: c.field });
    expect(body.message.length).toBeGreaterThan(10);
    expect(res.headers.get('x-request-id')).toBe(body.requestId);
    if (c.status === 405) expect(res.headers.get('allow')).toBe('PUT');
  });

  it.each([
    ['a malformed request line', 'GET /x HTTP/1.1 junk\r\n\r\n', 400],
    ['headers larger than the limit', `GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
  ])("Node's own refusal of %s carries a JSON body and X-Request-Id", async (_, request, status) => {
    const raw = await rawExchange(service.url, request as string);
    const [head, body] = raw.split('\r\n\r\n');
    expect(head).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    const id = /x-request-id: (\S+)/i.exec(head!)?.[1];
    expect(JSON.parse(body!)).toMatchObject({ error: expect.any(String), requestId: id });
  });

  it('published nothing for any refused request, and the tap does see a valid one', async () => {
    await new Promise((r) => setTimeout(r, 300));
    expect(tapped).toEqual([]);
    const trace = await (await fetch(`${service.url}/traceability`)).json();
    expect(trace).toMatchObject({ accepted: 0, waiting: 0 });
    // The consumer, the tap, and shared's own connection: a refused request never opened one, not even with leaky.
    expect(await brokerConnections(node)).toBe(publisher === 'shared' ? 3 : 2);

    const id = randomUUID();
    const res = await fetch(`${service.url}${PUT}`, { method: 'PUT', headers: { ...JSON_TYPE, 'x-request-id': id }, body: JSON.stringify(good) });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ requestId: id, status: 'accepted' });
    const end = Date.now() + 3_000;
    while (tapped.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(tapped).toEqual([id]);
  });
});

/** Sends bytes no HTTP client would, and returns whatever comes back before the server closes. */
function rawExchange(baseUrl: string, request: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let got = '';
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer in 10 s')));
    socket.on('data', (d) => (got += d.toString()));
    socket.on('end', () => resolve(got));
    socket.on('close', () => resolve(got));
    socket.on('error', reject);
  });
}
