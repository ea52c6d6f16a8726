// Rules the call schema cannot say, read defensively from the raw input so every problem surfaces in one
// go: mix or calls (one of them), template names that exist, body or form (not both), ranges in order.
import { BUILT_IN_NAMES, refsIn, refsInValue } from './template.ts';

type Raw = Record<string, unknown>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

export function callRuleProblems(input: unknown): string[] {
  if (!isObj(input)) return [];
  const problems: string[] = [];
  if (input.mix !== undefined && input.calls !== undefined) problems.push('give either "mix" (the reference API\'s three calls) or "calls" (your own), not both');
  if (input.mix === undefined && input.calls === undefined) problems.push('missing its calls: add "calls: { name: { method, path, weight, ... } }" (or "mix" for the reference API)');
  const hasSetup = input.setup !== undefined;
  if (isObj(input.setup)) {
    const s = input.setup;
    if (s.body !== undefined && s.form !== undefined) problems.push('setup: give either "body" or "form", not both');
    for (const ref of [...refsInValue(s.path), ...refsInValue(s.headers), ...refsInValue(s.body), ...refsInValue(s.form)]) {
      if (!ref.startsWith('env.')) problems.push(`setup: \${${ref}} is not available to the setup request (only \${env.NAME})`);
    }
  }
  if (!isObj(input.calls)) return problems;
  let total = 0;
  for (const [name, c] of Object.entries(input.calls)) {
    if (!isObj(c)) continue;
    const where = `calls.${name}`;
    if (typeof c.weight === 'number' && c.weight > 0) total += c.weight;
    if (c.body !== undefined && c.form !== undefined) problems.push(`${where}: give either "body" or "form", not both`);
    const vars = isObj(c.vars) ? c.vars : {};
    for (const [v, gen] of Object.entries(vars)) {
      if (isObj(gen) && typeof gen.min === 'number' && typeof gen.max === 'number' && gen.min > gen.max) {
        problems.push(`${where}.vars.${v}: min ${gen.min} is above max ${gen.max}`);
      }
    }
    const refs = [
      ...(typeof c.path === 'string' ? refsIn(c.path) : []),
      ...refsInValue(c.headers),
      ...(typeof c.body === 'function' ? [] : refsInValue(c.body)),
      ...refsInValue(c.form),
    ];
    for (const ref of new Set(refs)) {
      if ((BUILT_IN_NAMES as readonly string[]).includes(ref) || ref in vars) continue;
      if (ref.startsWith('env.') && ref.length > 4) continue;
      if (ref.startsWith('setup.') && ref.length > 6) {
        if (!hasSetup) problems.push(`${where}: \${${ref}} reads the setup response, but the scenario has no "setup" request`);
        continue;
      }
      problems.push(`${where}: \${${ref}} is not a var of this call nor one of ${BUILT_IN_NAMES.join(', ')}, env.NAME, setup.path`);
    }
  }
  if (Object.keys(input.calls).length > 0 && total <= 0) problems.push('calls: every weight is 0; give at least one call a weight above 0');
  return problems;
}
