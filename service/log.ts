import { redactText } from './redact-url.ts';

export type Logger = {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Logs at most once per `everyMs` per key; counts what it swallowed and reports the count next time. */
  throttled(key: string, message: string, everyMs?: number): void;
};

/** One line per event, prefixed with where it happened (unit, publisher), never with credentials. */
export function createLogger(context: string, write: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const lastAt = new Map<string, { at: number; suppressed: number }>();
  const emit = (level: string, message: string) => write(`${new Date().toISOString()} ${level} [${context}] ${redactText(message)}`);
  return {
    info: (m) => emit('info', m),
    warn: (m) => emit('warn', m),
    error: (m) => emit('error', m),
    throttled(key, message, everyMs = 5_000) {
      const now = Date.now();
      const seen = lastAt.get(key);
      if (seen && now - seen.at < everyMs) {
        seen.suppressed++;
        return;
      }
      const suffix = seen && seen.suppressed > 0 ? ` (${seen.suppressed} similar in the last ${Math.round((now - seen.at) / 1000)} s)` : '';
      lastAt.set(key, { at: now, suppressed: 0 });
      emit('warn', message + suffix);
    },
  };
}
