import { UsageError } from './errors.ts';

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** "90", "90s", "1.5m", "500ms" -> seconds. */
export function parseDuration(text: string | number, flag: string): number {
  if (typeof text === 'number') return checkPositive(text, flag, String(text));
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!match) throw new UsageError(`${flag} "${text}" is not a duration. Use e.g. 60s, 2m or 90.`);
  return checkPositive(Number(match[1]) * UNITS[match[2] ?? 's']!, flag, text);
}

function checkPositive(seconds: number, flag: string, text: string): number {
  if (!(seconds > 0) || !Number.isFinite(seconds)) throw new UsageError(`${flag} must be more than zero (got ${text}).`);
  return seconds;
}
