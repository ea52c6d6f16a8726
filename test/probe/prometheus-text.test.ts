import { describe, expect, it } from 'vitest';
import { Counter, Histogram, Registry, Gauge } from 'prom-client';
import { parsePrometheusText, parseSampleLine, PrometheusParseError, sumOf, seriesOf } from '../../harness/probe/prometheus-text.ts';

// Shape of RabbitMQ 3.10's aggregated /metrics (trimmed).
const RABBIT = `# TYPE rabbitmq_connections gauge
# HELP rabbitmq_connections Connections currently open
rabbitmq_connections 3
# TYPE rabbitmq_channels gauge
# HELP rabbitmq_channels Channels currently open
rabbitmq_channels 5
# TYPE rabbitmq_connections_opened_total counter
# HELP rabbitmq_connections_opened_total Total number of connections opened
rabbitmq_connections_opened_total 17
# TYPE rabbitmq_process_open_fds gauge
rabbitmq_process_open_fds 61
# TYPE erlang_vm_memory_bytes_total gauge
erlang_vm_memory_bytes_total{kind="system"} 2.3e7
erlang_vm_memory_bytes_total{kind="processes"} 1.2E7
`;

describe('parsePrometheusText', () => {
  it('reads gauges and counters with their type and help', () => {
    const r = parsePrometheusText(RABBIT);
    expect(r.problems).toEqual([]);
    const conns = r.families.find((f) => f.name === 'rabbitmq_connections')!;
    expect(conns.type).toBe('gauge');
    expect(conns.help).toBe('Connections currently open');
    expect(conns.samples).toEqual([{ name: 'rabbitmq_connections', labels: {}, value: 3 }]);
    expect(sumOf(r, 'rabbitmq_connections_opened_total')).toBe(17);
    expect(sumOf(r, 'erlang_vm_memory_bytes_total')).toBe(3.5e7);
    expect(sumOf(r, 'erlang_vm_memory_bytes_total', { kind: 'processes' })).toBe(1.2e7);
    expect(sumOf(r, 'rabbitmq_absent')).toBeUndefined();
  });

  it('keeps every label set of a labelled histogram (what the npm parser lost)', async () => {
    const registry = new Registry();
    const h = new Histogram({ name: 'req_seconds', help: 'Request time', labelNames: ['route'], buckets: [0.1, 1], registers: [registry] });
    h.observe({ route: '/a' }, 0.05);
    h.observe({ route: '/a' }, 0.5);
    h.observe({ route: '/b' }, 2);
    const c = new Counter({ name: 'requests_total', help: 'Requests', labelNames: ['status'], registers: [registry] });
    c.inc({ status: '200' }, 7);
    c.inc({ status: '503' }, 2);
    new Gauge({ name: 'open_conns', help: 'a "quoted" help\\with backslash', registers: [registry] }).set(4);

    const r = parsePrometheusText(await registry.metrics(), { strict: true });
    const hist = r.families.find((f) => f.name === 'req_seconds')!;
    expect(hist.type).toBe('histogram');
    expect(seriesOf(r, 'req_seconds_count').map((s) => [s.labels.route, s.value])).toEqual([
      ['/a', 2],
      ['/b', 1],
    ]);
    expect(sumOf(r, 'req_seconds_bucket', { route: '/a', le: '0.1' })).toBe(1);
    expect(sumOf(r, 'req_seconds_bucket', { route: '/b', le: '+Inf' })).toBe(1);
    expect(hist.samples).toHaveLength(2 * 5); // per route: 3 buckets, sum, count
    expect(sumOf(r, 'requests_total')).toBe(9);
    expect(r.families.find((f) => f.name === 'requests_total')!.type).toBe('counter');
    expect(sumOf(r, 'open_conns')).toBe(4);
  });

  it('groups OpenMetrics-style suffixed counters under their family', () => {
    const r = parsePrometheusText('# TYPE jobs counter\njobs_total{q="a"} 3\njobs_created{q="a"} 1.7e9\n# EOF\n');
    expect(r.families).toHaveLength(1);
    expect(r.families[0]!.samples.map((s) => s.name)).toEqual(['jobs_total', 'jobs_created']);
  });

  it('reads escapes, special values, timestamps and exemplars', () => {
    expect(parseSampleLine('m{path="C:\\\\DIR",msg="say \\"hi\\"\\n"} 1.5 1395066363000')).toEqual({
      name: 'm',
      labels: { path: 'C:\\DIR', msg: 'say "hi"\n' },
      value: 1.5,
      timestampMs: 1395066363000,
    });
    expect(parseSampleLine('m +Inf').value).toBe(Infinity);
    expect(parseSampleLine('m -Inf').value).toBe(-Infinity);
    expect(Number.isNaN(parseSampleLine('m NaN').value)).toBe(true);
    expect(parseSampleLine('m{a="}#{"} 2 # {trace="x"} 1').labels).toEqual({ a: '}#{' });
    expect(parseSampleLine('m{a="x",} 2').labels).toEqual({ a: 'x' });
    expect(parseSampleLine('m{} 2').value).toBe(2);
  });

  it('reports bad lines with their number and keeps the good ones', () => {
    const r = parsePrometheusText('good 1\nbad{a=1} 2\nalso_bad\n# TYPE x wibble\nfine{a="b"} 3\n');
    expect(r.problems.map((p) => p.line)).toEqual([2, 3, 4]);
    expect(r.problems[0]!.reason).toMatch(/expected "/);
    expect(r.problems[2]!.reason).toMatch(/unknown metric type/);
    expect(sumOf(r, 'good')).toBe(1);
    expect(sumOf(r, 'fine')).toBe(3);
  });

  it('throws a PrometheusParseError in strict mode', () => {
    expect(() => parsePrometheusText('<html>nope</html>', { strict: true })).toThrow(PrometheusParseError);
    expect(() => parsePrometheusText('x 1 2 3', { strict: true })).toThrow(/line 1/);
    expect(() => parsePrometheusText('x abc', { strict: true })).toThrow(/bad value/);
  });

  it('tolerates CRLF line ends and blank lines', () => {
    const r = parsePrometheusText('# TYPE a gauge\r\n\r\na 1\r\n');
    expect(r.problems).toEqual([]);
    expect(sumOf(r, 'a')).toBe(1);
  });
});
