import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.ts';

// Past the limit the body is no longer kept, only drained so the client can read its 413 on a socket
// that is still open; past this many bytes even draining stops and the socket is dropped.
const DRAIN_CAP_BYTES = 64 * 1024 * 1024;

export function requireJsonContentType(req: IncomingMessage): void {
  const [typePart, ...params] = (req.headers['content-type'] ?? '').split(';');
  const type = typePart!.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HttpError(415, 'unsupported_media_type', 'content-type', `content-type must be application/json, got "${type || '(none)'}"`);
  }
  // JSON is UTF-8 (RFC 8259); a body declared in another charset would be misread, so it is refused.
  for (const param of params) {
    const [key, value] = param.split('=').map((x) => x.trim().toLowerCase().replace(/^"(.*)"$/, '$1'));
    if (key === 'charset' && value !== 'utf-8' && value !== 'utf8') {
      throw new HttpError(415, 'unsupported_media_type', 'content-type', `charset "${value ?? ''}" is not supported; send UTF-8 JSON`);
    }
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

// ignoreBOM keeps a byte order mark in the text, so JSON.parse refuses it as before: JSON senders must
// not add one (RFC 8259), and a client that does is told so rather than silently accepted.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) throw new HttpError(400, 'invalid_json', 'body', 'body is empty; send a JSON document');
  let text: string;
  try {
    // fatal: invalid UTF-8 is refused, not silently replaced with U+FFFD and accepted.
    text = UTF8.decode(raw);
  } catch {
    throw new HttpError(400, 'invalid_encoding', 'body', 'body is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
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
