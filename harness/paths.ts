import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, wherever rushgate is run from. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
