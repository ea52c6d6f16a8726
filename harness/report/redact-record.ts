// Reports are shared widely (CI artifacts, step summaries): no credential in a URL may reach them,
// wherever in the record it hides (target URL, command line, limits, event messages).
import { redactText } from '../redact.ts';
import type { RunRecord } from '../run-record.ts';

export function redactRecord(record: RunRecord, secrets: string[] = []): RunRecord {
  return redactValue(record, secrets) as RunRecord;
}

function redactValue(value: unknown, secrets: string[]): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, secrets);
    return out;
  }
  return value;
}
