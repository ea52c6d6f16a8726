// Rewrites file-seconds.json (the longest-first sequencer's table) from the output of a whole run
// (`npx vitest run | tee run.log`): each file's line ends with its time, setup included, which the JSON
// reporter leaves out. Files under 3 s are left out (they are ordered after the measured ones anyway).
import { readFileSync, writeFileSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';

const line = /^ [✓❯×] +\S+ +(test\/\S+\.test\.ts) .*?(\d+)ms$/;
const rows = stripVTControlCharacters(readFileSync(process.argv[2]!, 'utf8'))
  .split('\n')
  .map((l) => line.exec(l))
  .filter((m): m is RegExpExecArray => m !== null)
  .map((m) => [m[1]!, Math.round(Number(m[2]) / 1000)] as const)
  .filter(([, s]) => s >= 3)
  .sort((a, b) => b[1] - a[1]);
writeFileSync(new URL('./file-seconds.json', import.meta.url), `${JSON.stringify(Object.fromEntries(rows), null, 2)}\n`);
console.log(`file-seconds.json: ${rows.length} files`);
