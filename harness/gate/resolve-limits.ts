// Where a run's limits come from: defaults, limits saved with a run, a JSON limits file, then command-line limits
// (each later source overrides the earlier one rule by rule).

import { LimitsError, loadLimitsFile, parseLimitArgs, parseLimitsObject, withDefaults, type GateLimits } from './limits.ts';

export interface LimitsSource {
  /** `rule<op>limit` strings, e.g. from `--limit` or `rushgate gate results.json [limits..]`. */
  args?: string[];
  /** Path of a JSON limits file. */
  file?: string;
  /** Limits saved in a results.json (rule -> text), the lowest-priority source after the defaults. */
  saved?: Record<string, unknown>;
}

/** Throws a LimitsError (a usage error: exit 2) listing every bad limit from both sources. */
export function resolveLimits(source: LimitsSource = {}): GateLimits {
  const problems: string[] = [];
  const read = (f: () => Partial<GateLimits>): Partial<GateLimits> => {
    try {
      return f();
    } catch (err) {
      if (!(err instanceof LimitsError)) throw err;
      problems.push(...err.problems);
      return {};
    }
  };
  const fromSaved = source.saved ? read(() => parseLimitsObject(source.saved)) : {};
  const fromFile = source.file ? read(() => loadLimitsFile(source.file!)) : {};
  const fromArgs = read(() => parseLimitArgs(source.args ?? []));
  if (problems.length > 0) throw new LimitsError(problems);
  // Per-call limits merge call by call too: a later source overrides the same rule on the same call.
  const calls = [fromSaved, fromFile, fromArgs].flatMap((l) => l.calls ?? []);
  const merged = calls.filter((c, i) => !calls.slice(i + 1).some((d) => d.rule === c.rule && d.call === c.call));
  return withDefaults({ ...fromSaved, ...fromFile, ...fromArgs, ...(merged.length > 0 ? { calls: merged } : {}) });
}
