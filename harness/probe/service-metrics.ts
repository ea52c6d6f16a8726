// Scrapes the target service's own /metrics (Prometheus text) into a compact, JSON-able snapshot for
// the run record: one number per series, histogram buckets and runtime metrics left out by default.
// A service without /metrics is normal (the target contract does not require one): that is a snapshot
// with `available: false`, never an error.

import { redactText, redactUrl } from '../redact.ts';
import { httpTarget } from './http-target.ts';
import { parsePrometheusText } from './prometheus-text.ts';

export interface ServiceMetricsSnapshot {
  url: string;
  /** Seconds since load start when the scrape was taken, if the caller gave a clock. */
  t?: number;
  available: boolean;
  /** Why there is nothing, when `available` is false. */
  reason?: string;
  /** `name{label="value",...}` -> value, labels sorted by name. */
  values: Record<string, number>;
  /** Lines of the exposition that could not be parsed. */
  badLines?: number;
}

export interface ScrapeServiceMetricsOptions {
  timeoutMs?: number;
  t?: number;
  /** Keep a series? Default: no `_bucket` series, no `nodejs_*` / `process_*` runtime metrics. */
  include?: (series: string) => boolean;
}

export const defaultServiceSeriesFilter = (series: string): boolean =>
  !series.endsWith('_bucket') && !series.startsWith('nodejs_') && !series.startsWith('process_');

/** `metricsUrl` is the full URL, e.g. http://127.0.0.1:8080/metrics. */
export async function scrapeServiceMetrics(metricsUrl: string, opts: ScrapeServiceMetricsOptions = {}): Promise<ServiceMetricsSnapshot> {
  const url = redactUrl(metricsUrl);
  const target = httpTarget(metricsUrl);
  const base = { url, ...(opts.t !== undefined ? { t: opts.t } : {}) };
  let text: string;
  try {
    const res = await fetch(target.url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 2000), headers: { accept: 'text/plain', ...target.headers } });
    if (!res.ok) return { ...base, available: false, reason: `answered ${res.status}`, values: {} };
    text = await res.text();
  } catch (err) {
    const e = err as Error;
    const why = e.name === 'TimeoutError' ? 'no answer in time' : redactText(e.cause instanceof Error ? e.cause.message : e.message, target.secrets);
    return { ...base, available: false, reason: why, values: {} };
  }
  const parsed = parsePrometheusText(text);
  const include = opts.include ?? defaultServiceSeriesFilter;
  const values: Record<string, number> = {};
  for (const f of parsed.families) {
    for (const s of f.samples) {
      if (!include(s.name)) continue;
      values[seriesKey(s.name, s.labels)] = s.value;
    }
  }
  if (Object.keys(values).length === 0 && parsed.problems.length > 0) {
    return { ...base, available: false, reason: 'the response is not Prometheus text format', values: {}, badLines: parsed.problems.length };
  }
  return { ...base, available: true, values, ...(parsed.problems.length > 0 ? { badLines: parsed.problems.length } : {}) };
}

export function seriesKey(name: string, labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return name;
  return `${name}{${keys.map((k) => `${k}=${JSON.stringify(labels[k])}`).join(',')}}`;
}

/** Change of every series between two snapshots (counters: what happened during the run). */
export function diffSnapshots(before: ServiceMetricsSnapshot, after: ServiceMetricsSnapshot): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after.values)) out[k] = v - (before.values[k] ?? 0);
  return out;
}
