// A starting scenario from an OpenAPI 3 document: one call per POST/PUT/PATCH operation, path parameters
// as seeded vars, bodies from the operation's examples or generated from its schema, the eu-morning
// timeline. The user edits weights and rates; the document is parsed and validated by
// @readme/openapi-parser (references resolved), never by hand.
import { dereference, validate, compileErrors } from '@readme/openapi-parser';
import type { OpenAPIV3 } from 'openapi-types';
import { UsageError } from '../../harness/errors.ts';
import { hashSeed } from '../payloads.ts';
import type { CallSpec, GeneratorSpec } from './call-schema.ts';

type Schema = OpenAPIV3.SchemaObject;
const WRITE_METHODS = ['post', 'put', 'patch'] as const;
const REQUEST_ID_NAME = /^(x-)?(request|correlation|client)[-_]?(id|ref)$/i;

const kebab = (s: string): string =>
  s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '').toLowerCase().slice(0, 48).replace(/-+$/, '') || 'call';

/** A path parameter's generator: its enum or example, numbers in range, uuids, catalog ids otherwise. */
function paramVar(name: string, schema: Schema | undefined, example: unknown): GeneratorSpec {
  if (schema?.enum && schema.enum.length > 0) return { kind: 'pick', from: schema.enum as Array<string | number | boolean> };
  if (example !== undefined && (typeof example === 'string' || typeof example === 'number')) return { kind: 'pick', from: [example] };
  if (schema?.type === 'integer' || schema?.type === 'number') return { kind: 'int', min: schema.minimum ?? 1, max: schema.maximum ?? 1000 };
  if (schema?.format === 'uuid') return { kind: 'uuid' };
  return /store/i.test(name) ? { kind: 'store' } : { kind: 'item' };
}

/** A body value for a schema: examples first, else a value per type; top-level numbers become seeded vars. */
function sample(schema: Schema | undefined, name: string, vars: Record<string, GeneratorSpec> | undefined, depth = 0): unknown {
  if (!schema || depth > 6) return null;
  if (schema.example !== undefined && !(vars && (schema.type === 'integer' || schema.type === 'number'))) return schema.example;
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((s) => sample(s as Schema, name, vars, depth + 1) as object));
  if (schema.oneOf?.[0] || schema.anyOf?.[0]) return sample((schema.oneOf?.[0] ?? schema.anyOf?.[0]) as Schema, name, vars, depth + 1);
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, s] of Object.entries(schema.properties ?? {})) out[k] = sample(s as Schema, k, depth === 0 ? vars : undefined, depth + 1);
      return out;
    }
    case 'array': {
      const items = (schema as OpenAPIV3.ArraySchemaObject).items as Schema;
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => sample(items, name, undefined, depth + 1));
    }
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? 0;
      const max = schema.maximum ?? (schema.type === 'integer' ? 100 : 100);
      if (!vars) return schema.example ?? min;
      const v = kebab(name).replace(/-(.)/g, (_m, c: string) => c.toUpperCase()).replace(/^[^A-Za-z_]/, '_');
      vars[v] = schema.type === 'integer' ? { kind: 'int', min, max } : { kind: 'decimal', min, max };
      return `\${${v}}`;
    }
    case 'boolean':
      return true;
    default:
      if (REQUEST_ID_NAME.test(name)) return '${requestId}';
      if (schema.format === 'date-time') return '${now}';
      if (schema.format === 'uuid') return '${uuid}';
      if (/store/i.test(name)) return '${storeId}';
      if (/(^id$|sku|item|product)/i.test(name)) return '${itemId}';
      return schema.minLength && schema.minLength > 4 ? 'x'.repeat(schema.minLength) : name;
  }
}

export interface OpenApiScenario {
  spec: Record<string, unknown>;
  text: string;
  calls: string[];
}

export async function scenarioFromOpenApi(file: string, name?: string): Promise<OpenApiScenario> {
  let result: Awaited<ReturnType<typeof validate>>;
  try {
    result = await validate(file);
  } catch (err) {
    throw new UsageError(`${file}: not a readable OpenAPI document (${(err as Error).message.split('\n')[0]})`);
  }
  if (!result.valid) throw new UsageError(`${file} is not a valid OpenAPI document:\n${compileErrors(result)}`);
  const doc = (await dereference(file)) as OpenAPIV3.Document;
  if (!('openapi' in doc) || !String(doc.openapi).startsWith('3')) throw new UsageError(`${file}: only OpenAPI 3 documents are read (convert Swagger 2 first)`);
  const calls: Record<string, CallSpec> = {};
  let requestIdHeader: string | undefined;
  const bearer = Object.values(doc.components?.securitySchemes ?? {}).some((s) => (s as OpenAPIV3.SecuritySchemeObject).type === 'http' && (s as OpenAPIV3.HttpSecurityScheme).scheme?.toLowerCase() === 'bearer');
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of WRITE_METHODS) {
      const op = item?.[method];
      if (!op) continue;
      const params = [...(item?.parameters ?? []), ...(op.parameters ?? [])] as OpenAPIV3.ParameterObject[];
      const vars: Record<string, GeneratorSpec> = {};
      for (const p of params.filter((x) => x.in === 'path')) vars[p.name.replace(/[^A-Za-z0-9_]/g, '_')] = paramVar(p.name, p.schema as Schema | undefined, p.example);
      const idHeader = params.find((p) => p.in === 'header' && REQUEST_ID_NAME.test(p.name));
      if (idHeader) requestIdHeader = idHeader.name;
      const call: CallSpec = {
        method: method.toUpperCase() as CallSpec['method'],
        path: path.replace(/\{([^}]+)\}/g, (_m, p: string) => `\${${p.replace(/[^A-Za-z0-9_]/g, '_')}}`),
        weight: 1,
      };
      if (op.summary) call.description = op.summary;
      if (bearer && (op.security ?? doc.security ?? []).length > 0) call.headers = { Authorization: 'Bearer ${env.API_TOKEN}' };
      const content = (op.requestBody as OpenAPIV3.RequestBodyObject | undefined)?.content ?? {};
      const json = Object.entries(content).find(([type]) => /json/i.test(type))?.[1];
      const form = content['application/x-www-form-urlencoded'];
      const media = json ?? form;
      if (media) {
        const example = media.example ?? Object.values(media.examples ?? {})[0]?.valueOf();
        const exampleValue = example && typeof example === 'object' && 'value' in example ? (example as { value: unknown }).value : example;
        const body = exampleValue ?? sample(media.schema as Schema | undefined, 'body', vars);
        if (json) call.body = body as CallSpec['body'];
        else call.form = Object.fromEntries(Object.entries((body ?? {}) as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : (v as string | number | boolean)]));
      }
      if (Object.keys(vars).length > 0) call.vars = vars;
      let callName = kebab(op.operationId ?? `${method}-${path}`);
      for (let i = 2; callName in calls; i++) callName = `${kebab(op.operationId ?? `${method}-${path}`).slice(0, 44)}-${i}`;
      calls[callName] = call;
    }
  }
  if (Object.keys(calls).length === 0) throw new UsageError(`${file} has no POST, PUT or PATCH operation to call`);
  const title = doc.info?.title ?? 'api';
  const spec: Record<string, unknown> = {
    name: kebab(name ?? title),
    description: `${title} ${doc.info?.version ?? ''}`.trim() + ', shaped like the European retail morning (generated from OpenAPI)',
    timeline: 'eu-morning',
    defaultDurationSec: 45,
    peakRps: 100,
    seed: hashSeed(...[...title].map((c) => c.charCodeAt(0))),
    ...(requestIdHeader ? { requestIdHeader } : {}),
    calls,
  };
  const text =
    `// Generated by rushgate from ${file.split('/').at(-1)} (${title}): one call per POST/PUT/PATCH operation.\n` +
    '// Edit the weights, the rates (peakRps) and the bodies; `${...}` reads vars, ids, env and setup values (README).\n' +
    `export default ${JSON.stringify(spec, null, 2)};\n`;
  return { spec, text, calls: Object.keys(calls) };
}
