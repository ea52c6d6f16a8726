import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { Logger } from '../log.ts';
import type { UnitMetrics } from '../metrics.ts';
import { PrimaryUnavailableError, type PrimaryClient } from '../ipc.ts';
import { BrokerUnavailableError, PublishFailedError, type Publisher } from '../publishers/publisher.ts';
import { HttpError, sendJson } from './http-error.ts';
import { readJsonBody, requireJsonContentType } from './read-body.ts';
import { matchRoute, type RouteName } from './routes.ts';
import { itemBatchSchema, itemSchema, matchingsSchema, validate } from './schemas.ts';

export interface UnitState {
  clusterReady: boolean;
  draining: boolean;
  inFlight: number;
}

export interface HandlerDeps {
  unit: number;
  bodyLimitBytes: number;
  publisher: Publisher;
  metrics: UnitMetrics;
  primary: PrimaryClient;
  state: UnitState;
  log: Logger;
}

const INGEST: Partial<Record<RouteName, { schema: z.ZodType; routingKey: string }>> = {
  'item-put': { schema: itemSchema, routingKey: 'items.put' },
  'items-batch': { schema: itemBatchSchema, routingKey: 'items.batch' },
  matchings: { schema: matchingsSchema, routingKey: 'matchings' },
};

const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS']);

export function createHandler(deps: HandlerDeps) {
  const { metrics, state, log } = deps;

  return function handle(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    state.inFlight++;
    let route: RouteName | 'unmatched' = 'unmatched';
    res.once('close', () => {
      state.inFlight--;
      const method = KNOWN_METHODS.has(req.method ?? '') ? req.method! : 'other';
      metrics.httpRequests.inc({ route, method, status: res.writableFinished ? String(res.statusCode) : 'aborted' });
      metrics.httpDuration.observe({ route }, (performance.now() - started) / 1000);
    });
    // A draining unit finishes this request but asks the client to go elsewhere for the next one.
    if (state.draining) res.setHeader('connection', 'close');

    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', requestId);

    const run = async () => {
      if (given !== undefined && given !== requestId) {
        throw new HttpError(400, 'invalid_header', 'x-request-id', 'x-request-id must be 1-128 visible ASCII characters');
      }
      const match = matchRoute(req.method ?? 'GET', req.url ?? '/');
      route = match.name;
      const ingest = INGEST[match.name];
      if (ingest) return ingestCall(req, res, requestId, match.name, match.params, ingest);
      return serveOps(res, match.name);
    };

    run().catch((err: unknown) => {
      if (err instanceof HttpError) {
        sendJson(res, err.status, err.body(requestId), err.headers);
        return;
      }
      if (err instanceof BrokerUnavailableError) {
        log.throttled(`503:${err.reason}`, `503 for ${route}: ${err.message}`);
        sendJson(res, 503, { error: 'broker_unavailable', field: null, reason: err.reason, message: err.message, requestId }, { 'retry-after': String(err.retryAfterSeconds) });
        return;
      }
      if (err instanceof PrimaryUnavailableError) {
        sendJson(res, 503, { error: 'primary_unavailable', field: null, message: err.message, requestId }, { 'retry-after': '1' });
        return;
      }
      log.throttled(`500:${route}`, `500 for ${route}: ${(err as Error).message}`);
      const code = err instanceof PublishFailedError ? 'publish_failed' : 'internal';
      sendJson(res, 500, { error: code, field: null, message: (err as Error).message, requestId });
    });
  };

  async function ingestCall(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    kind: RouteName,
    params: Record<string, string>,
    ingest: { schema: z.ZodType; routingKey: string },
  ): Promise<void> {
    requireJsonContentType(req);
    const body = await readJsonBody(req, deps.bodyLimitBytes);
    const checked = validate(ingest.schema, body);
    if (!checked.ok) {
      const first = checked.problems[0]!;
      throw new HttpError(400, 'invalid_body', first.field, first.message, {}, checked.problems);
    }
    if (kind === 'item-put' && (checked.value as { id: string }).id !== params.itemId) {
      throw new HttpError(400, 'invalid_body', 'id', `id must equal the itemId in the path ("${params.itemId}")`);
    }

    const payload = { requestId, kind, ...params, unit: deps.unit, receivedAt: new Date().toISOString(), data: checked.value };
    // Recorded before publishing, as the incident's service did: a failed publish leaves it waiting.
    deps.primary.send({ t: 'rg:trace', op: 'accepted', id: requestId });
    const t0 = performance.now();
    try {
      await deps.publisher.publish({ requestId, routingKey: ingest.routingKey, type: kind, body: Buffer.from(JSON.stringify(payload)) });
    } catch (err) {
      metrics.publishDuration.observe({ outcome: 'failed' }, (performance.now() - t0) / 1000);
      if (err instanceof BrokerUnavailableError && err.certainlyNotPublished) {
        deps.primary.send({ t: 'rg:trace', op: 'withdrawn', id: requestId });
      }
      throw err;
    }
    metrics.publishDuration.observe({ outcome: 'ok' }, (performance.now() - t0) / 1000);
    sendJson(res, 202, { requestId, status: 'accepted' });
  }

  async function serveOps(res: ServerResponse, name: RouteName): Promise<void> {
    switch (name) {
      case 'healthz': {
        const ok = state.clusterReady && !state.draining;
        sendJson(res, ok ? 200 : 503, { status: ok ? 'ok' : state.draining ? 'draining' : 'starting', unit: deps.unit, publisher: deps.publisher.kind });
        return;
      }
      case 'readyz': {
        const status = deps.publisher.status();
        const ok = status.ready && !state.draining;
        sendJson(res, ok ? 200 : 503, { ...status, status: ok ? 'ready' : 'not-ready', unit: deps.unit, draining: state.draining });
        return;
      }
      case 'metrics': {
        let text: string;
        let scope = 'cluster';
        try {
          text = await deps.primary.ask<string>('metrics');
        } catch (err) {
          // Better this unit's numbers than none: the header says which the scraper got.
          log.throttled('metrics-ipc', `cluster metrics unavailable, serving unit ${deps.unit} only: ${(err as Error).message}`);
          text = await metrics.registry.metrics();
          scope = `unit-${deps.unit}`;
        }
        res.writeHead(200, { 'content-type': metrics.registry.contentType, 'x-metrics-scope': scope });
        res.end(text);
        return;
      }
      case 'traceability':
      case 'units':
        sendJson(res, 200, await deps.primary.ask(name));
        return;
      default:
        throw new HttpError(404, 'not_found', null, `no route ${name}`);
    }
  }
}
