// Number formatting shared by every report, so Markdown, HTML and JUnit quote the same figures.

const intFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

export function fmtInt(n: number): string {
  return Number.isFinite(n) ? intFormat.format(n) : String(n);
}

export function fmtRate(n: number): string {
  return Number.isFinite(n) ? oneDecimal.format(n) : String(n);
}

/** Milliseconds with a precision that suits the magnitude: 0.42 ms, 3.1 ms, 2,340 ms. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${oneDecimal.format(ms)} ms`;
  return `${intFormat.format(ms)} ms`;
}

export function fmtSeconds(sec: number): string {
  return `${oneDecimal.format(sec)} s`;
}

export function fmtPercent(part: number, whole: number): string {
  if (whole <= 0) return '0%';
  const pct = (100 * part) / whole;
  return `${pct > 0 && pct < 0.1 ? '<0.1' : oneDecimal.format(pct)}%`;
}

/** "200: 9,812 · 503: 41" with codes in numeric order. */
export function fmtCounts(counts: Record<string, number>, empty = 'none'): string {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  if (entries.length === 0) return empty;
  return entries
    .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
    .map(([k, n]) => `${k}: ${fmtInt(n)}`)
    .join(' · ');
}

export function sumValues(counts: Record<string, number>): number {
  let total = 0;
  for (const n of Object.values(counts)) total += n;
  return total;
}

/** Sums status counts whose code starts with the class digit ("5" -> 5xx). */
export function statusClassTotal(counts: Record<string, number>, classDigit: string): number {
  let total = 0;
  for (const [code, n] of Object.entries(counts)) if (code.startsWith(classDigit)) total += n;
  return total;
}
