import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScenarioError } from '../../scenarios/define-scenario.ts';
import { BUILT_IN_SCENARIOS, loadScenario, ScenarioNotFoundError } from '../../scenarios/index.ts';

const spec = {
  name: 'from-file',
  description: 'loaded from a file',
  clockStart: '06:00',
  defaultDurationSec: 20,
  peakRps: 50,
  seed: 9,
  mix: { 'item-put': { weight: 3 }, matchings: { weight: 1, pairs: { min: 1, max: 5 } } },
  phases: [
    { kind: 'ramp', name: 'up', minutes: 10, fromRps: 0, toRps: 50 },
    { kind: 'pause', name: 'rest', minutes: 2 },
  ],
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rushgate-scenario-test-'));
  writeFileSync(join(dir, 'ok.json'), JSON.stringify(spec));
  writeFileSync(join(dir, 'ok.mjs'), `export default ${JSON.stringify(spec)};\n`);
  writeFileSync(join(dir, 'ok.ts'), `const s: { name: string } & Record<string, unknown> = ${JSON.stringify(spec)};\nexport default s;\n`);
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...spec, peakRps: 'lots', extra: true, phases: [{ kind: 'pause', name: 'x', minutes: 1 }] }));
  writeFileSync(join(dir, 'broken.json'), '{ "name": ');
  writeFileSync(join(dir, 'empty.mjs'), 'export const notDefault = 1;\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadScenario', () => {
  it('returns built-ins by name', async () => {
    expect(await loadScenario('eu-morning')).toBe(BUILT_IN_SCENARIOS['eu-morning']);
  });

  it.each(['ok.json', 'ok.mjs', 'ok.ts'])('loads and validates %s by path', async (file) => {
    const s = await loadScenario(join(dir, file));
    expect(s.name).toBe('from-file');
    expect(s.phases.map((p) => p.name)).toEqual(['up', 'rest']);
    expect(s.totalMinutes).toBe(12);
  });

  it('resolves relative paths against the given directory', async () => {
    expect((await loadScenario('./ok.json', dir)).name).toBe('from-file');
  });

  it('reports every problem in a file, naming the file', async () => {
    const err = await loadScenario(join(dir, 'bad.json')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScenarioError);
    const problems = (err as ScenarioError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^peakRps: must be a number/),
        expect.stringMatching(/unknown key "extra"/),
        expect.stringMatching(/would send no requests/),
      ]),
    );
    expect(problems).toHaveLength(3);
    expect((err as Error).message).toContain('bad.json');
  });

  it('turns unreadable files into a ScenarioError that says why', async () => {
    await expect(loadScenario(join(dir, 'broken.json'))).rejects.toThrow(/broken\.json[\s\S]*could not load the file/);
    await expect(loadScenario(join(dir, 'empty.mjs'))).rejects.toThrow(/no default export/);
  });

  it('says which scenarios exist when a name or file is unknown', async () => {
    await expect(loadScenario('eu-evening')).rejects.toBeInstanceOf(ScenarioNotFoundError);
    await expect(loadScenario('eu-evening')).rejects.toThrow(/Built-in scenarios: eu-morning, step-ladder, soak, spike/);
    await expect(loadScenario(join(dir, 'missing.ts'))).rejects.toThrow(/was not found/);
  });
});
