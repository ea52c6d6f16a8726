import { pathToFileURL } from 'node:url';

/**
 * Imports a user's scenario module. TypeScript files go through tsx's loader, so they load the same from
 * a checkout and from the installed package (which runs compiled JavaScript with plain node).
 */
export async function importScenarioFile(file: string): Promise<{ default?: unknown }> {
  const url = pathToFileURL(file).href;
  if (/\.[mc]?ts$/.test(file)) {
    const { tsImport } = await import('tsx/esm/api');
    const mod = (await tsImport(url, import.meta.url)) as { default?: unknown };
    // Outside a "type": "module" package tsx compiles the file as CommonJS: its exports arrive as `default`.
    const inner = mod.default as { __esModule?: boolean; default?: unknown } | undefined;
    return inner?.__esModule === true ? { default: inner.default } : mod;
  }
  return (await import(url)) as { default?: unknown };
}
