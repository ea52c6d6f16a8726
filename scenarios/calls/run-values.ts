// Per-run values calls read: environment variables (`${env.API_TOKEN}`), checked before anything starts
// and registered as secrets so no log or report shows them, and the setup request's answer (k6's
// setup()), fetched once the target is up.
import { UsageError } from '../../harness/errors.ts';
import { redactText, registerSecrets } from '../../harness/redact.ts';
import type { CallDef } from './call-def.ts';
import type { SetupSpec } from './call-schema.ts';
import { lookupPath, refsIn, refsInValue, renderText, renderValue } from './template.ts';

function specRefs(calls: readonly CallDef[], setup: SetupSpec | undefined): { all: string[]; inHeaders: string[] } {
  const all: string[] = [];
  const inHeaders: string[] = [];
  for (const part of [...calls.map((c) => c.spec), setup]) {
    if (!part) continue;
    const h = refsInValue(part.headers);
    inHeaders.push(...h);
    all.push(...refsIn(part.path), ...h, ...(typeof part.body === 'function' ? [] : refsInValue(part.body)), ...refsInValue(part.form));
  }
  return { all, inHeaders };
}

/** The `${env.NAME}` values the calls use; every missing one is named at once (a usage error, exit 2). */
export function resolveEnv(calls: readonly CallDef[], setup: SetupSpec | undefined, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const names = [...new Set(specRefs(calls, setup).all.filter((r) => r.startsWith('env.')).map((r) => r.slice(4)))];
  const missing = names.filter((n) => env[n] === undefined);
  if (missing.length > 0) throw new UsageError(`The scenario reads ${missing.map((n) => `\${env.${n}}`).join(', ')}, but ${missing.length === 1 ? 'it is' : 'they are'} not set in the environment.`);
  const out = Object.fromEntries(names.map((n) => [n, env[n] as string]));
  registerSecrets(Object.values(out));
  return out;
}

/** Makes the setup request against the target; its JSON answer is what `${setup.path}` reads. */
export async function runSetup(setup: SetupSpec, targetUrl: string, env: Record<string, string>, calls: readonly CallDef[]): Promise<Record<string, unknown>> {
  const resolve = (ref: string) => (ref.startsWith('env.') ? env[ref.slice(4)] : undefined);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(setup.headers ?? {})) headers[k] = renderText(v, resolve);
  let body: string | undefined;
  if (setup.form) {
    body = new URLSearchParams(Object.entries(setup.form).map(([k, v]): [string, string] => [k, typeof v === 'string' ? renderText(v, resolve) : String(v)])).toString();
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  } else if (setup.body !== undefined) {
    body = JSON.stringify(renderValue(setup.body, resolve));
    headers['content-type'] ??= 'application/json';
  }
  const where = `setup request ${setup.method} ${setup.path}`;
  let res: Response;
  try {
    res = await fetch(`${targetUrl.replace(/\/+$/, '')}${renderText(setup.path, resolve, encodeURIComponent)}`, { method: setup.method, headers, body, signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new UsageError(`The ${where} got no answer: ${redactText((err as Error).message)}`);
  }
  const text = await res.text();
  if (!res.ok) throw new UsageError(`The ${where} answered ${res.status}: ${redactText(text.slice(0, 200))}`);
  let json: unknown;
  try {
    json = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new UsageError(`The ${where} answered ${res.status} with a body that is not JSON: ${redactText(text.slice(0, 200))}`);
  }
  const answer = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : { value: json };
  // Values from the setup that go into headers are credentials (tokens): never shown.
  const secret = specRefs(calls, undefined).inHeaders.filter((r) => r.startsWith('setup.')).map((r) => lookupPath(answer, r.slice(6)));
  registerSecrets(secret.filter((v): v is string => typeof v === 'string'));
  return answer;
}
