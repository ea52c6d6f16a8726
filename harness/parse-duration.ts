import { parseDurationSec } from '../scenarios/duration.ts';
import { UsageError } from './errors.ts';

/** A flag's duration ("90", "90s", "1m30s", "500ms") in seconds, or a usage error naming the flag. */
export function parseDuration(text: string | number, flag: string): number {
  const seconds = parseDurationSec(text);
  if (Number.isNaN(seconds)) throw new UsageError(`${flag} "${text}" is not a duration. Use e.g. 60s, 2m or 90.`);
  if (!(seconds > 0) || !Number.isFinite(seconds)) throw new UsageError(`${flag} must be more than zero (got ${text}).`);
  return seconds;
}
