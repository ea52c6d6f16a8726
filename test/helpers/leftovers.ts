import { readdirSync, readFileSync } from 'node:fs';

/**
 * PIDs of live processes whose environment carries `RUSHGATE_TEST_MARKER=<marker>`. Children inherit the
 * environment, so this finds everything a harness run started, even after it was reparented.
 */
export function processesWithMarker(marker: string): number[] {
  const needle = `RUSHGATE_TEST_MARKER=${marker}`;
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, 'latin1');
      if (env.split('\0').includes(needle)) {
        const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
        // Zombies are gone in all but name; their parent just has not reaped them yet.
        if (!/^\d+ \(.*\) Z /.test(stat)) found.push(Number(entry));
      }
    } catch {
      // The process ended while we looked, or is not ours to read.
    }
  }
  return found;
}

export async function waitUntil(check: () => boolean, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return check();
}
