import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../paths.ts';

// Image names live in docker/images.env, shared with the shell scripts that build them.
const IMAGES = parseEnvFile(readFileSync(join(REPO_ROOT, 'docker', 'images.env'), 'utf8'));

function named(key: string): string {
  const value = IMAGES[key];
  if (!value) throw new Error(`docker/images.env has no ${key}`);
  return value;
}

/** The official management image: what `--stack testcontainers` runs where a registry is reachable. */
export const DEFAULT_BROKER_IMAGE = named('RUSHGATE_DEFAULT_BROKER_IMAGE');
export const DEFAULT_NODE_IMAGE = named('RUSHGATE_DEFAULT_NODE_IMAGE');
/** Built here by docker/build-local-images.sh, no registry needed. */
export const LOCAL_BROKER_IMAGE = named('RUSHGATE_LOCAL_BROKER_IMAGE');
export const LOCAL_NODE_IMAGE = named('RUSHGATE_LOCAL_NODE_IMAGE');
export const LOCAL_SERVICE_IMAGE = named('RUSHGATE_LOCAL_SERVICE_IMAGE');

/** `--broker-image`, else RUSHGATE_BROKER_IMAGE, else the official image. */
export function brokerImage(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  return explicit || env.RUSHGATE_BROKER_IMAGE || DEFAULT_BROKER_IMAGE;
}

/** `--target-image`, else RUSHGATE_TARGET_IMAGE; undefined means the reference service image. */
export function targetImage(explicit?: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return explicit || env.RUSHGATE_TARGET_IMAGE || undefined;
}

/** The reference service's image (built from the repo's Dockerfile when missing). */
export function serviceImage(env: NodeJS.ProcessEnv = process.env): string {
  return env.RUSHGATE_SERVICE_IMAGE || LOCAL_SERVICE_IMAGE;
}

export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}
