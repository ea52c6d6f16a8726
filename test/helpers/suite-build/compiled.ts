// Where the suite's one build of the sources lives (global-setup.ts), and the files spawns may run from it.
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Beside dist/ and laid out like it, so the compiled code finds the repository (package.json, docker/) the
 * same way. The build is renamed into place whole: a file that exists here is complete.
 */
export const SUITE_BUILD_DIR = fileURLToPath(new URL('../../../.suite-build', import.meta.url));

/** A build under way is staged beside it, in a dir named this plus the building process's pid. */
export const STAGING_PREFIX = `${basename(SUITE_BUILD_DIR)}.partial-`;

/** The compiled file for a source path (`harness/cli.js`), once the suite's build is in place. */
export function suiteBuilt(file: string): string | undefined {
  const path = join(SUITE_BUILD_DIR, file);
  return existsSync(path) ? path : undefined;
}

/**
 * The suite's build once it is in place: waits while one is under way (a staging dir beside it), at most
 * `timeoutMs`; undefined when none is coming (a single file run without the global setup, a failed build).
 */
export async function suiteBuild(timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  const building = () => readdirSync(dirname(SUITE_BUILD_DIR)).some((name) => name.startsWith(STAGING_PREFIX));
  const done = () => existsSync(join(SUITE_BUILD_DIR, 'harness', 'cli.js'));
  while (!done()) {
    // Checked again after: the staging dir is renamed into place between the two reads.
    if ((!building() && !done()) || Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 500));
  }
  return SUITE_BUILD_DIR;
}
