// Number formatting for verdict sentences: plain, rounded, with thousands separators.

export function num(x: number, digits = 1): string {
  if (!Number.isFinite(x)) return String(x);
  const rounded = Number(x.toFixed(digits));
  return rounded.toLocaleString('en-US', { maximumFractionDigits: digits });
}

export function pct(fraction: number): string {
  const p = fraction * 100;
  if (p === 0) return '0%';
  return `${p < 0.1 ? num(p, 3) : p < 10 ? num(p, 2) : num(p, 1)}%`;
}

export function ms(x: number): string {
  return x >= 10_000 ? `${num(x / 1000, 1)} s` : `${num(x, 0)} ms`;
}

export function perUnitText(perUnit: number, units: number): string {
  return `${num(perUnit, 2)} per unit x ${units} unit${units === 1 ? '' : 's'}`;
}

/** A rate with as many decimals as its size deserves: 1,000 / 33.3 / 3.33. */
export function rate(x: number): string {
  const a = Math.abs(x);
  return num(x, a >= 100 ? 0 : a >= 10 ? 1 : 2);
}

export function atRps(rps: number): string {
  return rps === 0 ? 'with no load' : `at ${num(rps, 0)} req/s`;
}
