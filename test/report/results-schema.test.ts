import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { resultsJsonSchema } from '../../harness/report/results-schema.ts';
import { RUN_RECORD_SCHEMA_VERSION } from '../../harness/run-record.ts';
import { makeHostileRecord, makeLeakyRecord, makePassingRecord } from '../fixtures/run-records.ts';

const shippedPath = new URL('../../harness/report/results.schema.json', import.meta.url);

async function shipped(): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(shippedPath, 'utf8')) as Record<string, unknown>;
}

describe('results.schema.json', () => {
  it('is versioned with the run record schema version', async () => {
    const schema = await shipped();
    expect(schema['$id']).toBe(`urn:rushgate:results:v${RUN_RECORD_SCHEMA_VERSION}`);
    expect((schema['properties'] as Record<string, { const?: number }>)['schemaVersion']!.const).toBe(RUN_RECORD_SCHEMA_VERSION);
  });

  it('matches the zod schema readRunRecord uses (regenerate: node --import tsx harness/report/write-results-schema.ts)', async () => {
    expect(await shipped()).toEqual(JSON.parse(JSON.stringify(resultsJsonSchema())));
  });

  it('accepts the fixtures and rejects a record with a wrong field, per a standard validator', async () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(await shipped());
    for (const record of [makeLeakyRecord({ fault: true, integrity: true }), makePassingRecord(), makeHostileRecord()]) {
      expect(validate(record), JSON.stringify(validate.errors)).toBe(true);
    }
    const bad = makeLeakyRecord() as unknown as Record<string, unknown>;
    (bad['summary'] as Record<string, unknown>)['requests'] = -1;
    delete (bad['verdict'] as Record<string, unknown>)['passed'];
    expect(validate(bad)).toBe(false);
    expect(validate.errors!.map((e) => e.instancePath).sort()).toEqual(['/summary/requests', '/verdict']);
    expect(validate({ ...makeLeakyRecord(), schemaVersion: RUN_RECORD_SCHEMA_VERSION + 1 })).toBe(false);
  });
});
