// Before any verdict: was this run a test of the service at all? When most answers to a call are the
// same 4xx, the calls did not reach what they were meant to exercise (a wrong route, a missing token, a
// body the service rejects), and every rule that "passed" passed over nothing. The finding names the
// call, the status and what to check, with the service's own first answer when there is one.
import type { CallSummary, FirstError, RuleResult, RunRecord, Validity, ValidityFinding } from '../run-record.ts';

export const VALIDITY_RULE = 'run.validity';

/** `${storeId}` -> `:storeId`, the way route tables are written. */
export function routeOf(path: string): string {
  return path.replace(/\$\{\s*([^}]+?)\s*\}/g, (_m, name: string) => `:${name.replace(/^vars\./, '')}`);
}

function whatToCheck(call: string, summary: Pick<CallSummary, 'method' | 'path'>, status: number): string {
  const route = `${summary.method} ${routeOf(summary.path)}`;
  if (status === 404 || status === 405) return `does the service serve ${route}?`;
  if (status === 401 || status === 403) return `does ${call} carry the credentials the service expects (e.g. an Authorization header from \${env.NAME} or a setup call)?`;
  if (status === 400 || status === 422) return `does ${call}'s body match what the service validates?`;
  if (status === 415) return `does the service take ${call}'s content-type?`;
  if (status === 413) return `are ${call}'s bodies larger than the service accepts?`;
  if (status === 429) return 'is the service rate-limiting the harness? Lower --peak-rps, or declare 429 in the scenario\'s expect.refused';
  return `check what the service answered ${route}`;
}

/** The findings for one call: its most common 4xx when it is more than half of its outcomes. */
function findingFor(call: string, s: CallSummary, firstErrors: readonly FirstError[]): ValidityFinding | undefined {
  const of = Object.values(s.status).reduce((a, n) => a + n, 0) + Object.values(s.errors).reduce((a, n) => a + n, 0);
  let top: [string, number] | undefined;
  for (const [code, n] of Object.entries(s.status)) if (code.startsWith('4') && (!top || n > top[1])) top = [code, n];
  if (!top) return undefined;
  // Answers the scenario declared (expect.refused, or shedding with Retry-After during a fault) are the
  // service doing its job: only the failed ones can say the run missed the service.
  const count = Math.min(top[1], s.classes?.failed ?? top[1]);
  if (count * 2 <= of) return undefined;
  const status = Number(top[0]);
  const share = count === of ? `every ${call} answered ${status}` : `${Math.round((count / of) * 100)}% of ${call} calls (${count} of ${of}) answered ${status}`;
  const said = firstErrors.find((e) => e.call === call && e.status === status)?.body;
  return { call, status, count, of, sentence: `${share}: ${whatToCheck(call, s, status)}${said ? ` The service said: ${said}` : ''}` };
}

export function checkValidity(record: Pick<RunRecord, 'calls' | 'summary' | 'firstErrors'>): Validity {
  const calls: Record<string, CallSummary> = record.calls ?? {};
  const findings = Object.entries(calls)
    .map(([name, s]) => findingFor(name, s, record.firstErrors ?? []))
    .filter((f): f is ValidityFinding => f !== undefined);
  const accepted = record.summary.classes?.accepted ?? Object.entries(record.summary.status).reduce((n, [code, k]) => n + (code.startsWith('2') ? k : 0), 0);
  return { valid: findings.length === 0, configMistake: findings.length > 0 && accepted === 0, findings };
}

/** The finding as the first rule of the verdict, so every report and the exit code carry it. */
export function validityRule(validity: Validity): RuleResult {
  return {
    name: VALIDITY_RULE,
    passed: false,
    limit: 'at most half of a call\'s answers the same 4xx',
    value: validity.findings.map((f) => `${f.call} ${f.status} ${f.count}/${f.of}`).join(', '),
    message: `Not a valid test of this service: ${validity.findings.map((f) => f.sentence).join(' ')}`,
  };
}
