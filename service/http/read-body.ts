import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.ts';

// Past the limit the body is no longer kept, only drained so the client can read its 413 on a socket
// that is still open; past this many bytes even draining stops and the socket is dropped.
const DRAIN_CAP_BYTES = 64 * 1024 * 1024;

export function requireJsonContentType(req: IncomingMessage): void {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HttpError(415, 'unsupported_media_type', 'content-type', `content-type must be application/json, got "${type || '(none)'}"`);
  }
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') {
    throw new HttpError(415, 'unsupported_media_type', 'content-encoding', `content-encoding "${encoding}" is not supported; send the JSON uncompressed`);
  }
}

const tooLarge = (limit: number) =>
  new HttpError(413, 'payload_too_large', 'body', `body must be at most ${limit} bytes; split large batches into several calls`);

/** Reads the body up to `limit` bytes and parses it as JSON; refuses early when the body is too large. */
export function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    drain(req);
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        drain(req, size);
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      try {
        resolve(parseJson(Buffer.concat(chunks, size)));
      } catch (err) {
        reject(err);
      }
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new HttpError(400, 'body_aborted', 'body', `the request body could not be read: ${err.message}`));
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) throw new HttpError(400, 'invalid_json', 'body', 'body is empty; send a JSON document');
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new HttpError(400, 'invalid_json', 'body', `body is not valid JSON: ${(err as Error).message}`);
  }
}

function drain(req: IncomingMessage, already = 0): void {
  let drained = already;
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_CAP_BYTES) req.socket.destroy();
  });
  req.on('error', () => {});
  req.resume();
}
