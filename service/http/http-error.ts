import type { ServerResponse } from 'node:http';
import type { FieldProblem } from './schemas.ts';

/** A refusal the client can act on: status, a stable code, the field at fault and a sentence. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    readonly field: string | null,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly issues: FieldProblem[] = [],
  ) {
    super(message);
  }

  body(requestId: string): Record<string, unknown> {
    return {
      error: this.code,
      field: this.field,
      message: this.message,
      ...(this.issues.length > 1 ? { issues: this.issues } : {}),
      requestId,
    };
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': String(payload.length) });
  res.end(payload);
}
