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

/**
 * How to start the reference service: plain node on the compiled file, or through tsx on the source.
 * From sources, RUSHGATE_SERVICE_BUILD may name a compiled tree of the same code (dist/'s layout) to start
 * it from instead, once that tree has its service/main.js: the test suite compiles once and sets it, so its
 * hundred-odd service starts skip tsx's compile (about 2.3 CPU-s each on 2 cores).
 */
export function referenceServiceArgs(): string[] {
  if (COMPILED) return [join(CODE_ROOT, 'service', 'main.js')];
  const built = process.env.RUSHGATE_SERVICE_BUILD ? join(process.env.RUSHGATE_SERVICE_BUILD, 'service', 'main.js') : undefined;
  return built && existsSync(built) ? [built] : ['--import', 'tsx', join(CODE_ROOT, 'service', 'main.ts')];
}
