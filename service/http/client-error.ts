import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';

// Requests Node's parser refuses before any handler runs (malformed request line, headers too large)
// get the same JSON error body and X-Request-Id as every other refusal, as service/README.md promises.

const REFUSALS: Record<string, { status: number; reason: string; code: string; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, reason: 'Request Header Fields Too Large', code: 'headers_too_large', message: 'request headers are too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, reason: 'Request Timeout', code: 'request_timeout', message: 'the request was not received in time' },
};
const MALFORMED = { status: 400, reason: 'Bad Request', code: 'malformed_request', message: 'the request could not be parsed as HTTP/1.1' };

export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const r = (err.code && Object.hasOwn(REFUSALS, err.code) ? REFUSALS[err.code] : undefined) ?? MALFORMED;
  const requestId = randomUUID();
  const body = JSON.stringify({ error: r.code, field: null, message: r.message, requestId });
  socket.end(
    `HTTP/1.1 ${r.status} ${r.reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `x-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`,
  );
}
