#!/usr/bin/env node
// The installed package runs its compiled JavaScript with plain node. A checkout (sources beside this
// file) runs the TypeScript through tsx instead, so developing needs no build step to forget.
import { existsSync } from 'node:fs';

if (existsSync(new URL('../harness/cli.ts', import.meta.url))) {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../harness/cli.ts');
} else {
  await import('../dist/harness/cli.js');
}
