// Exit codes (DESIGN.md): 0 gate passed, 1 gate failed, 2 usage or configuration error, 3 could not run.
export const EXIT = { passed: 0, failed: 1, usage: 2, cannotRun: 3 } as const;

/** Bad input from the user: flags, scenario files, limits, configuration. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The harness could not run: broker or service failed to start, a required tool is missing. */
export class CannotRunError extends Error {
  override name = 'CannotRunError';
}

// Matched by name so each stage keeps its own error class without this file importing them all.
const USAGE_ERRORS = new Set(['UsageError', 'ScenarioError', 'ScenarioNotFoundError', 'LimitsError', 'RecordError', 'LoadConfigError', 'FaultError', 'VerifyExchangeError', 'YError']);
const CANNOT_RUN_ERRORS = new Set([
  'CannotRunError',
  'BrokerStartError',
  'BrokerUnreachableError',
  'TargetStartError',
  'StackError',
  'ReadinessTimeoutError',
  'VerifyTapError',
  'ManagementApiError',
]);

export function exitCodeFor(err: unknown): number | undefined {
  const name = (err as Error | undefined)?.name ?? '';
  if (USAGE_ERRORS.has(name)) return EXIT.usage;
  if (CANNOT_RUN_ERRORS.has(name)) return EXIT.cannotRun;
  return undefined;
}
