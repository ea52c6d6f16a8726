import { parse } from 'junit2json';
import { describe, expect, it } from 'vitest';
import { renderJunitXml } from '../../harness/report/junit-xml.ts';
import { makeHostileRecord, makeLeakyRecord, makePassingRecord } from '../fixtures/run-records.ts';

// junit2json is a JUnit consumer (xml2js underneath); its types describe the JUnit shape.
type Parsed = Awaited<ReturnType<typeof parse>>;
function suites(parsed: Parsed) {
  if (!parsed || !('testsuite' in parsed) || !parsed.testsuite) throw new Error('no testsuites element');
  return parsed.testsuite;
}

describe('junit.xml', () => {
  it('has one testcase per rule and one failure per failed rule, read by a JUnit parser', async () => {
    const record = makeLeakyRecord();
    const parsed = await parse(renderJunitXml(record));
    expect(parsed).toMatchObject({ name: 'rushgate', tests: 8, failures: 7, errors: 0 });
    const [suite] = suites(parsed);
    expect(suites(parsed)).toHaveLength(1);
    expect(suite).toMatchObject({ name: 'rushgate eu-morning (leaky)', tests: 8, failures: 7 });
    const cases = suite!.testcase!;
    expect(cases.map((c) => c.name)).toEqual(record.verdict.rules.map((r) => r.name));
    const failing = cases.filter((c) => c.failure && c.failure.length > 0);
    expect(failing).toHaveLength(7);
    const ceiling = failing[0]!.failure![0]!;
    expect(ceiling.message).toBe(record.verdict.rules[0]!.message);
    expect(ceiling.inner).toContain('limit: peak <= baseline + 1/unit (2 + 2)');
    expect(ceiling.inner).toContain('measured: 409 peak');
  });

  it('reports no failures for a passing run', async () => {
    const parsed = await parse(renderJunitXml(makePassingRecord()));
    expect(parsed).toMatchObject({ tests: 8, failures: 0 });
    expect(suites(parsed)[0]!.testcase!.every((c) => !c.failure)).toBe(true);
  });

  it('escapes hostile rule names and sentences so the XML still parses to the same text', async () => {
    const record = makeHostileRecord();
    const xml = renderJunitXml(record);
    expect(xml).not.toContain('<injected/>');
    expect(xml).not.toContain('\u0001');
    const parsed = await parse(xml);
    const first = suites(parsed)[0]!.testcase![0]!;
    expect(first.name).toBe('connections.ceiling<evil>');
    // The control character is dropped (XML 1.0 cannot carry it); everything else survives verbatim.
    expect(first.failure![0]!.message).toBe(record.verdict.rules[0]!.message.replace('\u0001', ''));
    expect(suites(parsed)[0]!.name).toContain(`<script>alert("pwned")</script> & 'morning'`);
  });

  it('still yields a testcase when the gate produced no rules', async () => {
    const record = makeLeakyRecord();
    record.verdict = { passed: false, rules: [] };
    const parsed = await parse(renderJunitXml(record));
    expect(parsed).toMatchObject({ tests: 1, failures: 1 });
  });
});
