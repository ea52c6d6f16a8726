// Top self-time frames of a V8 .cpuprofile (as written by node --cpu-prof), as a Markdown table.
// Usage: node --import tsx bench/cpu-profile-top.ts FILE.cpuprofile [--top 10]
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export function topSelfFrames(profile: Profile, top: number): Array<{ frame: string; ms: number; share: number }> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!node) return;
    const f = node.callFrame;
    const where = f.url ? `${basename(f.url)}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    selfUs.set(key, (selfUs.get(key) ?? 0) + dt);
    total += dt;
  });
  return [...selfUs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([frame, us]) => ({ frame, ms: Math.round(us / 1000), share: total > 0 ? us / total : 0 }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '10' } } });
  for (const file of positionals) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    console.log(`\n${basename(file)}\n\n| # | self time | share | frame |\n|---:|---:|---:|---|`);
    topSelfFrames(profile, Number(values.top)).forEach((r, i) => console.log(`| ${i + 1} | ${r.ms} ms | ${(100 * r.share).toFixed(1)}% | \`${r.frame}\` |`));
  }
}
