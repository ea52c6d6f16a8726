import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffSnapshots, scrapeServiceMetrics } from '../../harness/probe/service-metrics.ts';
import { freePort } from '../../harness/stack/free-port.ts';

describe('scrapeServiceMetrics against a real prom-client /metrics', () => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({ name: 'ingest_requests_total', help: 'Requests', labelNames: ['route', 'status'], registers: [registry] });
  const publish = new Histogram({ name: 'ingest_publish_seconds', help: 'Publish time', buckets: [0.01, 0.1], registers: [registry] });
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      if (req.url === '/metrics') res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
      else if (req.url === '/html') res.writeHead(200).end('<html><body>hello</body></html>');
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('keeps labelled counters and histogram sum/count, drops buckets and runtime metrics', async () => {
    requests.inc({ route: 'item-put', status: '200' }, 3);
    publish.observe(0.05);
    const before = await scrapeServiceMetrics(`${base}/metrics`, { t: 1.5 });
    expect(before.available).toBe(true);
    expect(before.t).toBe(1.5);
    expect(before.values['ingest_requests_total{route="item-put",status="200"}']).toBe(3);
    expect(before.values['ingest_publish_seconds_count']).toBe(1);
    expect(Object.keys(before.values).some((k) => k.includes('_bucket'))).toBe(false);
    expect(Object.keys(before.values).some((k) => k.startsWith('process_') || k.startsWith('nodejs_'))).toBe(false);

    requests.inc({ route: 'item-put', status: '200' }, 4);
    requests.inc({ route: 'item-put', status: '503' });
    const after = await scrapeServiceMetrics(`${base}/metrics`);
    const d = diffSnapshots(before, after);
    expect(d['ingest_requests_total{route="item-put",status="200"}']).toBe(4);
    expect(d['ingest_requests_total{route="item-put",status="503"}']).toBe(1);
    expect(JSON.parse(JSON.stringify(after))).toEqual(after); // JSON-able as is
  });

  it('says why when there is nothing to scrape', async () => {
    expect(await scrapeServiceMetrics(`${base}/nope`)).toMatchObject({ available: false, reason: 'answered 404', values: {} });
    const html = await scrapeServiceMetrics(`${base}/html`);
    expect(html.available).toBe(false);
    expect(html.reason).toMatch(/not Prometheus text format/);
    const closed = await scrapeServiceMetrics(`http://user:hunter2-secret@127.0.0.1:${await freePort()}/metrics`);
    expect(closed.available).toBe(false);
    expect(closed.reason).toMatch(/ECONNREFUSED/);
    expect(JSON.stringify(closed)).not.toContain('hunter2-secret');
  });
});
