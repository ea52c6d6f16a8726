// Durations as people write them in flags and scenario files. Its own module so the chaos schema can
// use it without importing the schedule, which imports the schema (an import cycle).

/** "45", "45s", "2m", "1m30s", "500ms" -> seconds; NaN when unreadable (callers report it). */
export function parseDurationSec(text: string | number): number {
  if (typeof text === 'number') return text;
  const ms = /^\s*(\d+(?:\.\d+)?)\s*ms\s*$/.exec(text);
  if (ms) return Number(ms[1]) / 1000;
  const m = /^\s*(?:(\d+(?:\.\d+)?)h)?\s*(?:(\d+(?:\.\d+)?)m)?\s*(?:(\d+(?:\.\d+)?)s?)?\s*$/.exec(text);
  if (!m || (!m[1] && !m[2] && !m[3])) return Number.NaN;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}
