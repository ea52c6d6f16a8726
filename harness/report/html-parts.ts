// Building blocks of the self-contained HTML pages: every string from the record goes through
// escapeHtml here, and images are data: URIs, so a page never loads anything from anywhere.
import { ruleOutcome, type RuleOutcome } from '../gate/rule-mark.ts';
import type { RunRecord } from '../run-record.ts';
import { escapeHtml as e } from './escape.ts';
import { actionTiming } from './fault-action-view.ts';
import { fmtInt, fmtRate } from './format.ts';
import type { RenderedChart } from './run-charts.ts';
import { integrityNumbers, keyNumbers, phaseRows, verdictWord } from './run-view.ts';
import { connectionRows, gapRows, samplingText, unitsSourceText } from './sampling-view.ts';
import { NODE_TABLE_NOTE, nodeRows } from './node-view.ts';

const CSS = `
:root { --fail: #c62828; --fail-bg: #fdecea; --ok: #2e7d32; --ok-bg: #edf7ed; --ink: #1f2328; --muted: #59636e; --line: #d0d7de; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 -apple-system, "Segoe UI", "DejaVu Sans", Roboto, Helvetica, Arial, sans-serif; color: var(--ink); background: #f6f8fa; }
main { max-width: 1280px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; display: flex; align-items: center; gap: 12px; flex-wrap: wrap; }
h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 20px 0 8px; }
p { margin: 6px 0; }
.muted { color: var(--muted); }
.badge { display: inline-block; padding: 2px 12px; border-radius: 14px; font-size: 15px; font-weight: 700; letter-spacing: .04em; color: #fff; }
.badge.fail { background: var(--fail); }
.badge.ok { background: var(--ok); }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 12px 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 14px; }
th, td { border: 1px solid var(--line); padding: 6px 10px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.verdict tr.fail td { background: var(--fail-bg); }
table.verdict td.result { font-weight: 700; white-space: nowrap; }
table.verdict tr.fail td.result { color: var(--fail); }
table.verdict tr.ok td.result { color: var(--ok); }
table.verdict tr.warn td { background: #fff8e1; }
table.verdict tr.warn td.result { color: #8a5a00; }
table.verdict td.rule code { font-size: 13px; white-space: nowrap; overflow-wrap: normal; }
table.kv th { width: 17em; white-space: nowrap; }
tr.incident td:first-child { font-weight: 700; color: #b71c1c; }
code { font: 13px/1.4 "DejaVu Sans Mono", Menlo, Consolas, monospace; background: #f6f8fa; padding: 1px 4px; border-radius: 4px; overflow-wrap: anywhere; }
pre { font: 13px/1.4 "DejaVu Sans Mono", Menlo, Consolas, monospace; background: #f6f8fa; padding: 10px; border-radius: 6px; overflow-x: auto; }
figure { margin: 18px 0 26px; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; }
figcaption { color: var(--muted); font-size: 14px; margin-top: 6px; }
.callout { border-left: 4px solid var(--fail); background: var(--fail-bg); padding: 8px 12px; margin: 12px 0; }
.cols { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 0 28px; }
footer { margin-top: 36px; color: var(--muted); font-size: 13px; }
`;

export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>${e(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

export function badge(record: RunRecord): string {
  return `<span class="badge ${record.verdict.passed ? 'ok' : 'fail'}">${verdictWord(record)}</span>`;
}

const RESULT_TEXT: Record<RuleOutcome, string> = { ok: '✓ ok', warn: '! warn', fail: '✗ fail', 'n/a': '– not judged' };

export function verdictTableHtml(record: RunRecord, id = 'verdict'): string {
  const rows = record.verdict.rules.map((r) => {
    const outcome = ruleOutcome(r);
    return `<tr class="${outcome === 'warn' ? 'warn' : r.passed ? 'ok' : 'fail'}">
  <td class="rule"><code>${e(r.name)}</code></td><td>${e(r.limit)}</td><td class="num">${e(r.value)}</td>
  <td class="result">${RESULT_TEXT[outcome]}</td><td>${e(r.message)}</td>
</tr>`;
  });
  if (rows.length === 0) {
    rows.push(`<tr class="${record.verdict.passed ? 'ok' : 'fail'}"><td colspan="3">(no rules)</td><td class="result">${record.verdict.passed ? '✓ ok' : '✗ fail'}</td><td>No gate rule was evaluated.</td></tr>`);
  }
  return `<table class="verdict" id="${e(id)}">
<thead><tr><th>Rule</th><th>Limit</th><th class="num">Measured</th><th>Result</th><th>What it means</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

export function abortedHtml(record: RunRecord): string {
  const i = record.interrupted;
  const stopped = i
    ? `<p class="callout"><strong>Run interrupted</strong> by ${e(i.signal)} at ${e(fmtRate(i.atSec))} s: everything below is what was measured until then, without a cool-down.</p>`
    : '';
  const a = record.verdict.aborted;
  if (!a) return stopped;
  return `${stopped}<p class="callout"><strong>Load stopped early</strong> at ${e(fmtRate(a.t))} s: rule <code>${e(a.rule)}</code> had certainly failed — ${e(a.reason)}</p>`;
}

export function figureHtml(chart: RenderedChart, width: number, height: number): string {
  const image = chart.png
    ? `<img src="data:image/png;base64,${chart.png.toString('base64')}" width="${width}" height="${height}" alt="${e(chart.title)}">`
    : (chart.svg ?? '');
  return `<figure id="chart-${e(chart.id)}">
${image}
<figcaption>${e(chart.caption)}</figcaption>
</figure>`;
}

export function keyNumbersHtml(record: RunRecord, id = 'key-numbers'): string {
  const rows = keyNumbers(record).map((k) => `<tr><th scope="row">${e(k.label)}</th><td>${e(k.value)}</td></tr>`);
  return `<table class="kv" id="${e(id)}">\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
}

export function integrityHtml(record: RunRecord, id = 'integrity'): string {
  const rows = integrityNumbers(record);
  if (!rows) return '<p class="muted">No exchange was tapped, so acknowledged requests were not reconciled with the broker.</p>';
  return `<table class="kv" id="${e(id)}">\n<tbody>\n${rows.map((k) => `<tr><th scope="row">${e(k.label)}</th><td>${e(k.value)}</td></tr>`).join('\n')}\n</tbody>\n</table>`;
}

/** Gaps in broker sampling and the connections-by-name table; empty when the record has neither. */
export function observationHtml(record: RunRecord): string {
  const parts: string[] = [];
  const nodes = nodeRows(record);
  if (nodes.length > 0) {
    parts.push(`<h3>Broker nodes</h3>
<table id="broker-nodes">
<thead><tr><th>Node</th><th class="num">connection_max</th><th class="num">Baseline</th><th class="num">Peak</th><th class="num">End</th><th class="num">Peak channels</th><th>Did not answer</th></tr></thead>
<tbody>
${nodes.map((n) => `<tr><td>${e(n.node)}</td><td class="num">${e(n.connectionMax)}</td><td class="num">${e(n.baseline)}</td><td class="num">${e(n.peak)}</td><td class="num">${e(n.end)}</td><td class="num">${e(n.peakChannels)}</td><td>${e(n.unanswered)}</td></tr>`).join('\n')}
</tbody>
</table>
<p class="muted">${e(NODE_TABLE_NOTE)}</p>`);
  }
  const gaps = gapRows(record);
  if (gaps.length > 0) {
    parts.push(`<h3>Gaps in broker sampling</h3>
<p>${e(samplingText(record) ?? '')}. Shaded grey on the broker charts; rules that judged across a gap say so.</p>
<table id="sampling-gaps">
<thead><tr><th>When</th><th class="num">Without samples</th><th>Why</th></tr></thead>
<tbody>
${gaps.map((g) => `<tr><td>${e(g.window)}</td><td class="num">${e(g.seconds)}</td><td>${e(g.reason)}</td></tr>`).join('\n')}
</tbody>
</table>`);
  }
  const source = unitsSourceText(record);
  if (source) {
    const rows = connectionRows(record);
    parts.push(`<h3>Connections by name</h3>
<p>${e(source)}</p>` +
      (rows.length === 0
        ? ''
        : `
<table id="connections-by-name">
<thead><tr><th>Connection name</th><th>Unit</th><th class="num">Baseline</th><th class="num">Peak</th><th class="num">End</th></tr></thead>
<tbody>
${rows.map((r) => `<tr><td>${e(r.name)}</td><td>${e(r.unit)}</td><td class="num">${fmtInt(r.baseline)}</td><td class="num">${fmtInt(r.peak)}</td><td class="num">${fmtInt(r.end)}</td></tr>`).join('\n')}
</tbody>
</table>
<p class="muted">From the broker's management API every few seconds; short-lived connections may fall between two looks.</p>`));
  }
  return parts.join('\n');
}

export function phaseTableHtml(record: RunRecord, id = 'phases'): string {
  const rows = phaseRows(record).map(
    (p) => `<tr${p.incident ? ' class="incident"' : ''}><td>${e(p.name)}</td><td>${e(p.clock)}</td><td class="num">${e(fmtRate(p.startSec))}–${e(fmtRate(p.endSec))} s</td>` +
      `<td class="num">${e(p.offered)}</td><td class="num">${fmtRate(p.achievedRps)}</td><td class="num">${fmtInt(p.fiveXx)}</td>` +
      `<td class="num">${fmtInt(p.errors)}</td><td class="num">${fmtInt(p.dropped)}</td><td class="num">${p.connectionsAtEnd === null ? '–' : fmtInt(p.connectionsAtEnd)}</td></tr>`,
  );
  return `<table id="${e(id)}">
<thead><tr><th>Phase</th><th>Clock</th><th class="num">Wall time</th><th class="num">Offered req/s</th><th class="num">Achieved req/s</th><th class="num">5xx</th><th class="num">No response</th><th class="num">Dropped</th><th class="num">Connections at end</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
<p class="muted">Incident peaks in red. Achieved = requests sent per second; no response = timeouts, resets and refused connections.</p>`;
}

export function eventsHtml(record: RunRecord): string {
  const events = record.events.filter((ev) => ev.kind !== 'phase');
  if (events.length === 0) return '<p class="muted">No faults, aborts or notes during the run.</p>';
  // Fault actions also show when they were meant to start and how long the action took (scheduled vs actual).
  const timed = events.some((ev) => ev.actionStartSec !== undefined);
  const timing = (ev: (typeof events)[number]) => {
    const t = actionTiming(ev);
    return timed ? `<td class="num">${e(t.scheduled)}</td><td class="num">${e(t.late)}</td><td class="num">${e(t.took)}</td>` : '';
  };
  const rows = events.map((ev) => `<tr><td class="num">${e(fmtRate(ev.t))} s</td><td>${e(ev.kind)}</td><td>${e(ev.message)}</td>${timing(ev)}</tr>`);
  const timingHead = timed ? '<th class="num">Scheduled</th><th class="num">Late by</th><th class="num">Action took</th>' : '';
  return `<table id="events">\n<thead><tr><th class="num">Time</th><th>Kind</th><th>Message</th>${timingHead}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
}

export function environmentHtml(record: RunRecord): string {
  const facts: Array<[string, string]> = [
    ['rushgate', record.tool.version],
    ['Started', record.startedAt],
    ['Ended', record.endedAt],
    ['Node', record.environment.node],
    ['Platform', record.environment.platform],
    ['CPUs', String(record.environment.cpus)],
    ['Host', record.environment.hostname],
    ['Stack', record.stack.kind + (record.stack.connectionMax === undefined ? '' : `, connection_max ${record.stack.connectionMax}`)],
    ['Scenario seed', String(record.scenario.seed)],
    ['Peak rate', `${fmtRate(record.scenario.peakRps)} req/s`],
  ];
  return `${factsHtml(facts)}
<h3>Limits</h3>
<pre>${e(JSON.stringify(record.limits, null, 2))}</pre>`;
}

export function factsHtml(facts: Array<[string, string]>): string {
  return `<dl class="facts">\n${facts.map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v)}</dd>`).join('\n')}\n</dl>`;
}
