// The watchdog outlives nothing: started by a harness with a pipe on its stdin, it learns what the
// harness owns (one JSON line per change) and, when the pipe closes without a goodbye because the harness
// died (SIGKILL, a crash, a second Ctrl-C), stops those process groups, removes those temp dirs and
// containers, and deletes the harness's state-ledger file. Plain JavaScript: it starts in ~50 ms.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { stopGroups } from './process-table.mjs';

const ledgerFile = process.argv[2];
let owned = { processes: [], dirs: [], containers: [] };
let buffered = '';

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  const lines = buffered.split('\n');
  buffered = lines.pop() ?? '';
  for (const line of lines) {
    if (line.trim()) {
      try {
        owned = JSON.parse(line);
      } catch {
        // A torn line cannot happen on a pipe write this small; ignore rather than die.
      }
    }
  }
});
process.stdin.on('close', () => void cleanUp());
process.stdin.on('error', () => void cleanUp());
// The harness's own Ctrl-C reaches its process group, not ours; ignore strays so cleanup is never cut short.
for (const signal of ['SIGINT', 'SIGHUP']) process.on(signal, () => {});

async function cleanUp() {
  await stopGroups(owned.processes, 2000);
  for (const dir of owned.dirs) rmSync(dir, { recursive: true, force: true });
  for (const name of owned.containers) spawnSync('docker', ['rm', '-f', '-v', name], { stdio: 'ignore', timeout: 20_000 });
  if (ledgerFile) rmSync(ledgerFile, { force: true });
  process.exit(0);
}
