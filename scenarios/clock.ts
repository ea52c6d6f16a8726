// Scenario clock labels ("07:45", UTC). The clock is how people talk about the incident, so phases and
// reports speak it; the schedule maps it onto compressed wall time.

const CLOCK_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isClock(text: string): boolean {
  return CLOCK_RE.test(text);
}

/** Minutes since midnight for "HH:MM"; NaN when the label is malformed. */
export function clockToMinutes(text: string): number {
  const m = CLOCK_RE.exec(text);
  if (!m) return Number.NaN;
  return Number(m[1]) * 60 + Number(m[2]);
}

/** "HH:MM" for a minute-of-day; wraps past midnight and floors partial minutes. */
export function minutesToClock(minutes: number): string {
  const whole = ((Math.floor(minutes + 1e-9) % 1440) + 1440) % 1440;
  const hh = String(Math.floor(whole / 60)).padStart(2, '0');
  const mm = String(whole % 60).padStart(2, '0');
  return `${hh}:${mm}`;
}
