// Parser for the Prometheus text exposition format (0.0.4, and the OpenMetrics lines brokers and
// prom-client emit). Written here rather than taken from npm: the one maintained-looking package
// (parse-prometheus-text-format 1.1.1) merges labelled histograms into one series and drops their labels,
// which would silently corrupt per-route service metrics.

export type PromType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'gaugehistogram' | 'info' | 'stateset' | 'untyped';

export interface PromSample {
  /** The series name as written, e.g. `http_request_duration_seconds_bucket`. */
  name: string;
  labels: Record<string, string>;
  value: number;
  timestampMs?: number;
}

export interface PromFamily {
  name: string;
  type: PromType;
  help: string;
  samples: PromSample[];
}

export interface PromParseProblem {
  line: number;
  text: string;
  reason: string;
}

export interface PromParseResult {
  families: PromFamily[];
  /** Lines that could not be read; the rest of the exposition is still parsed. */
  problems: PromParseProblem[];
}

export class PrometheusParseError extends Error {
  override name = 'PrometheusParseError';
  constructor(readonly problems: PromParseProblem[]) {
    super(
      `The metrics text is not valid Prometheus exposition format (${problems.length} bad line(s)): ` +
        problems.slice(0, 5).map((p) => `line ${p.line}: ${p.reason} in ${JSON.stringify(p.text.slice(0, 120))}`).join('; ') +
        '. Check that the URL serves /metrics in text format.',
    );
  }
}

const KNOWN_TYPES = new Set<PromType>(['counter', 'gauge', 'histogram', 'summary', 'gaugehistogram', 'info', 'stateset', 'untyped']);

// Series names that belong to a family of the given type besides the family name itself.
const SUFFIXES: Partial<Record<PromType, string[]>> = {
  counter: ['_total', '_created'],
  histogram: ['_bucket', '_sum', '_count', '_created'],
  summary: ['_sum', '_count', '_created'],
  gaugehistogram: ['_bucket', '_gsum', '_gcount'],
  info: ['_info'],
};

const ALL_SUFFIXES = [...new Set(Object.values(SUFFIXES).flat())];

/** Parses an exposition. Bad lines are reported in `problems`; with `strict` they throw instead. */
export function parsePrometheusText(text: string, opts: { strict?: boolean } = {}): PromParseResult {
  const families = new Map<string, PromFamily>();
  const problems: PromParseProblem[] = [];
  const lines = text.split('\n');

  const family = (name: string): PromFamily => {
    let f = families.get(name);
    if (!f) {
      f = { name, type: 'untyped', help: '', samples: [] };
      families.set(name, f);
    }
    return f;
  };

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    const line = raw.trim();
    if (line === '') continue;
    try {
      if (line.startsWith('#')) {
        const m = /^#\s*(HELP|TYPE|UNIT)\s+(\S+)(?:\s+(.*))?$/.exec(line);
        if (!m) continue; // plain comment, or OpenMetrics `# EOF`
        const [, kw, name, rest = ''] = m;
        if (kw === 'HELP') family(name!).help = unescapeHelp(rest);
        else if (kw === 'TYPE') {
          const type = rest.trim().toLowerCase() as PromType;
          if (!KNOWN_TYPES.has(type)) throw new Error(`unknown metric type "${rest.trim()}"`);
          family(name!).type = type;
        }
        continue;
      }
      const sample = parseSampleLine(line);
      family(familyNameFor(sample.name, families)).samples.push(sample);
    } catch (err) {
      problems.push({ line: i + 1, text: raw, reason: (err as Error).message });
    }
  }
  if (opts.strict && problems.length > 0) throw new PrometheusParseError(problems);
  // Families that only had metadata are kept: an empty counter family is still information.
  return { families: [...families.values()], problems };
}

function familyNameFor(series: string, families: Map<string, PromFamily>): string {
  if (families.has(series)) return series;
  for (const suffix of ALL_SUFFIXES) {
    if (!series.endsWith(suffix)) continue;
    const base = families.get(series.slice(0, -suffix.length));
    if (base && SUFFIXES[base.type]?.includes(suffix)) return base.name;
  }
  return series;
}

/** Reads one sample line: `name{label="value",...} value [timestamp] [# exemplar]`. */
export function parseSampleLine(line: string): PromSample {
  let i = 0;
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) throw new Error('a sample must start with a metric name');
  const name = nameMatch[0];
  i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (line[i] === ' ' || line[i] === '\t' || line[i] === ',') i++;
      if (line[i] === '}') {
        i++;
        break;
      }
      const lm = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i));
      if (!lm) throw new Error(`bad label name at column ${i + 1}`);
      const labelName = lm[0];
      i += labelName.length;
      while (line[i] === ' ') i++;
      if (line[i] !== '=') throw new Error(`expected = after label ${labelName}`);
      i++;
      while (line[i] === ' ') i++;
      if (line[i] !== '"') throw new Error(`expected " to open the value of label ${labelName}`);
      i++;
      let value = '';
      for (;;) {
        const c = line[i];
        if (c === undefined) throw new Error(`unterminated value of label ${labelName}`);
        if (c === '\\') {
          const n = line[i + 1];
          value += n === 'n' ? '\n' : n === '"' ? '"' : n === '\\' ? '\\' : `\\${n ?? ''}`;
          i += 2;
        } else if (c === '"') {
          i++;
          break;
        } else {
          value += c;
          i++;
        }
      }
      labels[labelName] = value;
    }
  }
  // Drop an OpenMetrics exemplar; labels are already consumed so a '#' here cannot be inside one.
  const rest = line.slice(i).split(' # ')[0]!.trim();
  const parts = rest.split(/\s+/).filter(Boolean);
  if (parts.length === 0) throw new Error(`no value for ${name}`);
  if (parts.length > 2) throw new Error(`unexpected text after the value of ${name}`);
  const value = parseValue(parts[0]!);
  const sample: PromSample = { name, labels, value };
  if (parts[1] !== undefined) {
    const ts = Number(parts[1]);
    if (!Number.isFinite(ts)) throw new Error(`bad timestamp "${parts[1]}"`);
    sample.timestampMs = ts;
  }
  return sample;
}

function parseValue(text: string): number {
  const lower = text.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan') return NaN;
  const v = Number(text);
  if (text === '' || Number.isNaN(v)) throw new Error(`bad value "${text}"`);
  return v;
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(n|\\)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));
}

/** All samples of one series name, across families. */
export function seriesOf(result: PromParseResult, name: string): PromSample[] {
  return result.families.flatMap((f) => f.samples.filter((s) => s.name === name));
}

/** Sum of a series over its label sets (optionally only those matching `where`); undefined if absent. */
export function sumOf(result: PromParseResult, name: string, where: Record<string, string> = {}): number | undefined {
  const matching = seriesOf(result, name).filter((s) => Object.entries(where).every(([k, v]) => s.labels[k] === v));
  if (matching.length === 0) return undefined;
  return matching.reduce((a, s) => a + s.value, 0);
}
