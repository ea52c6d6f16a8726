// junit.xml: one testsuite per run and one testcase per gate rule, so CI systems that only understand
// test results still show which rule failed and why, in the rule's own sentence.
import { ruleMark } from '../gate/rule-mark.ts';
import type { RunRecord } from '../run-record.ts';
import { escapeXml, escapeXmlAttr } from './escape.ts';
import { describeStack, describeTarget } from './run-view.ts';

export function renderJunitXml(record: RunRecord): string {
  const rules = record.verdict.rules.length > 0
    ? record.verdict.rules
    : [{ name: 'gate.verdict', passed: record.verdict.passed, limit: 'gate passes', value: record.verdict.passed ? 'passed' : 'failed', message: 'No gate rule was evaluated.' }];
  const failures = rules.filter((r) => !r.passed).length;
  const skipped = record.verdict.rules.filter((r) => r.judged === false).length;
  const time = durationSec(record).toFixed(3);
  const suite = `rushgate ${record.scenario.name}${record.target.publisher ? ` (${record.target.publisher})` : ''}`;
  const classname = `rushgate.${record.scenario.name}`;
  const props: Array<[string, string]> = [
    ['scenario', record.scenario.name],
    ['target', describeTarget(record)],
    ['target.url', record.target.url],
    ['broker', describeStack(record)],
    ['requests', String(record.summary.requests)],
    ['peakConnections', String(record.summary.broker.peakConnections)],
    ['baselineConnections', String(record.summary.broker.baselineConnections)],
    ['tool.version', record.tool.version],
  ];
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="rushgate" tests="${rules.length}" failures="${failures}" errors="0" time="${time}">`);
  out.push(
    `  <testsuite name="${escapeXmlAttr(suite)}" tests="${rules.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time}" timestamp="${escapeXmlAttr(record.startedAt)}" hostname="${escapeXmlAttr(record.environment.hostname)}">`,
  );
  out.push('    <properties>');
  for (const [name, value] of props) out.push(`      <property name="${escapeXmlAttr(name)}" value="${escapeXmlAttr(value)}"/>`);
  out.push('    </properties>');
  for (const r of rules) {
    const open = `    <testcase classname="${escapeXmlAttr(classname)}" name="${escapeXmlAttr(r.name)}" time="0"`;
    if ('judged' in r && r.judged === false) {
      out.push(`${open}>`, `      <skipped message="${escapeXmlAttr(r.message)}"/>`, '    </testcase>');
      continue;
    }
    if (r.passed) {
      // A warning passes (CI must not fail on it) but says warn: where a reader looks.
      out.push(`${open}>`, `      <system-out>${escapeXml(`${ruleMark(r)} ${r.message} (limit ${r.limit}; measured ${r.value})`)}</system-out>`, '    </testcase>');
      continue;
    }
    const aborted = record.verdict.aborted?.rule === r.name ? `\nload stopped early at ${record.verdict.aborted.t} s: ${record.verdict.aborted.reason}` : '';
    const body = `fail: ${r.message}\nlimit: ${r.limit}\nmeasured: ${r.value}${aborted}`;
    out.push(`${open}>`, `      <failure message="${escapeXmlAttr(r.message)}" type="${escapeXmlAttr(r.name)}">${escapeXml(body)}</failure>`, '    </testcase>');
  }
  out.push('  </testsuite>', '</testsuites>', '');
  return out.join('\n');
}

function durationSec(record: RunRecord): number {
  const ms = Date.parse(record.endedAt) - Date.parse(record.startedAt);
  return Number.isFinite(ms) && ms >= 0 ? ms / 1000 : record.summary.durationSec;
}
