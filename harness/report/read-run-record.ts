// Reports and re-gating run on saved results.json files; a bad file gets a message that says which
// file, what is wrong with it, and what to do, not a stack trace from deep inside a chart.
import { readFile } from 'node:fs/promises';
import { RUN_RECORD_SCHEMA_VERSION, type RunRecord } from '../run-record.ts';
import { runRecordSchema } from './results-schema.ts';

export class RecordError extends Error {
  override name = 'RecordError';
}

export async function readRunRecord(path: string): Promise<RunRecord> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new RecordError(
      code === 'ENOENT'
        ? `${path}: no such file. Pass the results.json a run wrote (rushgate run --out DIR writes DIR/results.json).`
        : `${path}: could not read it (${code ?? (err as Error).message}).`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new RecordError(`${path}: not valid JSON (${(err as Error).message}). Was the run interrupted while writing it?`);
  }
  return parseRunRecord(data, path);
}

/** Validates already-parsed JSON; `source` names it in error messages. */
export function parseRunRecord(data: unknown, source = 'run record'): RunRecord {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new RecordError(`${source}: expected a JSON object (a rushgate results.json), found ${data === null ? 'null' : Array.isArray(data) ? 'an array' : typeof data}.`);
  }
  const obj = data as Record<string, unknown>;
  const version = obj['schemaVersion'];
  if (version === undefined) {
    throw new RecordError(`${source}: no schemaVersion field, so it is not a rushgate results.json. Pass the results.json a run wrote.`);
  }
  if (version !== RUN_RECORD_SCHEMA_VERSION) {
    const tool = obj['tool'] as { version?: unknown } | undefined;
    const by = typeof tool?.version === 'string' ? ` by rushgate ${tool.version}` : '';
    throw new RecordError(
      `${source}: schemaVersion is ${JSON.stringify(version)}${by}, but this rushgate reads schemaVersion ${RUN_RECORD_SCHEMA_VERSION}. ` +
        `Re-render it with the rushgate version that wrote it, or re-run the scenario.`,
    );
  }
  const parsed = runRecordSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const shown = issues.slice(0, 5).map((i) => `  - ${formatPath(i.path)}: ${i.message}`);
    if (issues.length > shown.length) shown.push(`  - ... and ${issues.length - shown.length} more`);
    throw new RecordError(`${source}: not a valid rushgate run record (schemaVersion ${RUN_RECORD_SCHEMA_VERSION}):\n${shown.join('\n')}`);
  }
  return parsed.data as RunRecord;
}

function formatPath(path: PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}
