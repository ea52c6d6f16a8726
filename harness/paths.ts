import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);

/** True when this code runs as the package's compiled JavaScript (dist/), not through tsx from sources. */
export const COMPILED = here.endsWith('.js');

/** Where harness/, service/ and scenarios/ live: the repository root, or dist/ in the package. */
export const CODE_ROOT = join(dirname(here), '..');

/** The directory holding rushgate's own package.json (the repository root, or the installed package). */
export const REPO_ROOT = existsSync(join(CODE_ROOT, 'package.json')) ? CODE_ROOT : join(CODE_ROOT, '..');

/** How to start the reference service: plain node on the compiled file, or through tsx on the source. */
export function referenceServiceArgs(): string[] {
  return COMPILED ? [join(CODE_ROOT, 'service', 'main.js')] : ['--import', 'tsx', join(CODE_ROOT, 'service', 'main.ts')];
}
