// Where scenarios come from: a built-in by name, or a user's .ts/.js/.json file by path whose
// default export (or whole JSON document) is a scenario spec. Either way it is validated here.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { defineScenario, isScenario, ScenarioError } from './define-scenario.ts';
import { importScenarioFile } from './import-scenario-file.ts';
import type { Scenario, ScenarioSpec } from './define-scenario.ts';
import chaos from './chaos.ts';
import euMorning from './eu-morning.ts';
import soak from './soak.ts';
import spike from './spike.ts';
import stepLadder from './step-ladder.ts';

export * from './define-scenario.ts';
export { resolveSchedule, parseDurationSec } from './schedule.ts';
export type { Schedule, ScheduleSecond, SchedulePhase, ScheduleOptions } from './schedule.ts';

export const BUILT_IN_SCENARIOS: Readonly<Record<string, Scenario>> = {
  'eu-morning': euMorning,
  'step-ladder': stepLadder,
  soak,
  spike,
  chaos,
};

const FILE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs', '.json'];

/** The scenario named neither a built-in nor a readable file. */
export class ScenarioNotFoundError extends Error {
  override readonly name = 'ScenarioNotFoundError';
  constructor(readonly requested: string, reason: string) {
    super(
      `Scenario "${requested}" ${reason}. Built-in scenarios: ${Object.keys(BUILT_IN_SCENARIOS).join(', ')}; ` +
        `or pass a path to a ${FILE_EXTENSIONS.join('/')} file whose default export is a scenario.`,
    );
  }
}

export function looksLikePath(nameOrPath: string): boolean {
  return /[\\/]/.test(nameOrPath) || FILE_EXTENSIONS.includes(extname(nameOrPath));
}

/** A built-in by name, or a scenario file by path (relative to cwd), validated. */
export async function loadScenario(nameOrPath: string, cwd: string = process.cwd()): Promise<Scenario> {
  const builtIn = BUILT_IN_SCENARIOS[nameOrPath];
  if (builtIn) return builtIn;
  if (!looksLikePath(nameOrPath)) throw new ScenarioNotFoundError(nameOrPath, 'is not a built-in scenario');

  const file = resolve(cwd, nameOrPath);
  if (!existsSync(file)) throw new ScenarioNotFoundError(nameOrPath, `was not found (looked at ${file})`);
  const ext = extname(file);
  if (!FILE_EXTENSIONS.includes(ext)) throw new ScenarioNotFoundError(nameOrPath, `has an unsupported extension "${ext}"`);

  let spec: unknown;
  try {
    if (ext === '.json') spec = JSON.parse(await readFile(file, 'utf8'));
    else {
      spec = (await importScenarioFile(file)).default;
    }
  } catch (err) {
    // A file that calls defineScenario() itself fails during import; say which file it was.
    if (err instanceof ScenarioError) throw new ScenarioError(err.scenario, err.problems, nameOrPath);
    const message = err instanceof Error ? err.message : String(err);
    throw new ScenarioError('(unreadable)', [`could not load the file: ${message}`], nameOrPath);
  }
  if (spec === undefined || spec === null) {
    throw new ScenarioError('(empty)', ['the file has no default export; end it with `export default defineScenario({...})`'], nameOrPath);
  }
  if (isScenario(spec)) return spec;
  return defineScenario(spec as ScenarioSpec, nameOrPath);
}
