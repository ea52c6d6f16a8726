import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { itemBatchSchema, itemSchema, matchingsSchema, validate } from '../../service/http/schemas.ts';
import { generateMalformedRequests, type MalformedRequest } from './malformed-requests.ts';

// The generator behind bad-input-fuzz.int.test.ts: deterministic, and never accidentally valid (a
// valid call would be published, and the integration test would blame the service for it).

const digest = (list: MalformedRequest[]) => {
  const hash = createHash('sha256');
  for (const r of list) hash.update(`${r.cls}|${r.method}|${r.path}|${JSON.stringify(r.headers)}|${r.detail}|${typeof r.body === 'string' || Buffer.isBuffer(r.body) ? r.body.toString() : JSON.stringify(r.body)}\n`);
  return hash.digest('hex');
};

describe('malformed request generator', () => {
  const requests = generateMalformedRequests(7, 'gen');

  it('is deterministic for a seed and differs across seeds', () => {
    expect(digest(generateMalformedRequests(7, 'gen'))).toBe(digest(requests));
    expect(digest(generateMalformedRequests(8, 'gen'))).not.toBe(digest(requests));
  }, 30_000);

  it('bounds the big bodies: at most 6 of 10 MB, 30 over the limit in all', () => {
    const big = requests.filter((r) => r.cls === 'oversize').map((r) => (r.body as { bytes: number }).bytes);
    expect(big).toHaveLength(30);
    expect(big.filter((b) => b === 10 * 1024 * 1024)).toHaveLength(6);
    expect(Math.min(...big)).toBeGreaterThan(1024 * 1024);
  });

  it('never produces a body the service would accept', () => {
    const accepted: string[] = [];
    for (const r of requests) {
      if (!['broken-json', 'wrong-type', 'missing-field', 'deep-nesting'].includes(r.cls)) continue;
      // The deepest documents are refused by construction and cost ~200 ms each to parse here.
      if (r.cls === 'deep-nesting' && String(r.body).length > 200_000) continue;
      let doc: unknown;
      try {
        doc = JSON.parse(r.body!.toString());
      } catch {
        continue; // unparseable: refused
      }
      if (r.expect[400]?.includes('invalid_json')) {
        accepted.push(`${r.seq} ${r.cls} ${r.detail}: parses as JSON`);
        continue;
      }
      const kind = r.method === 'PUT' ? 'item' : r.path.endsWith('/matchings') ? 'matchings' : 'batch';
      const schema = kind === 'item' ? itemSchema : kind === 'matchings' ? matchingsSchema : itemBatchSchema;
      const checked = validate(schema as never, doc);
      const idMatches = kind !== 'item' || (checked.ok && (checked.value as { id: string }).id === r.path.split('/').at(-1));
      if (checked.ok && idMatches) accepted.push(`${r.seq} ${r.cls} ${r.detail}`);
    }
    expect(accepted).toEqual([]);
  }, 30_000);
});
