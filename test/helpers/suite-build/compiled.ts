// Where the suite's one build of the sources lives (global-setup.ts), and the files spawns may run from it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Beside dist/ and laid out like it, so the compiled code finds the repository (package.json, docker/) the
 * same way. The build is renamed into place whole: a file that exists here is complete.
 */
export const SUITE_BUILD_DIR = fileURLToPath(new URL('../../../.suite-build', import.meta.url));

/** The compiled file for a source path (`harness/cli.js`), once the suite's build is in place. */
export function suiteBuilt(file: string): string | undefined {
  const path = join(SUITE_BUILD_DIR, file);
  return existsSync(path) ? path : undefined;
}
