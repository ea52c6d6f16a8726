// The "Your own API" scenario exactly as the README shows it, written to a file a user would have.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { REPO_ROOT } from '../../harness/paths.ts';

/** Call it inside a test: the file's temp dir goes when the test ends. */
export function readmeExample(): { text: string; file: string } {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const block = /<!-- own-api-example -->\n```ts\n([\s\S]*?)```\n<!-- \/own-api-example -->/.exec(readme);
  if (!block) throw new Error('README.md has no own-api-example block');
  const text = block[1] as string;
  const dir = mkdtempSync(join(tmpdir(), 'rushgate-readme-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'tenant-products.ts');
  writeFileSync(file, text);
  return { text, file };
}
