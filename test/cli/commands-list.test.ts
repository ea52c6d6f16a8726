import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, commandsToLoad } from '../../harness/commands/index.ts';
import { REPO_ROOT } from '../../harness/paths.ts';

describe('the command list', () => {
  it("repeats each module's own command and description (help without loading it)", { timeout: 60_000 }, async () => {
    for (const entry of COMMANDS) {
      const m = await entry.load();
      expect({ command: entry.command, describe: entry.describe }).toEqual({ command: m.command, describe: m.describe });
      expect(m.command.split(' ')[0]).toBe(entry.name);
    }
  });

  it('loads only the command being run, none for --version, all when an option comes first', () => {
    expect(commandsToLoad(['--version'])).toEqual([]);
    expect(commandsToLoad([])).toEqual([]);
    expect(commandsToLoad(['gate', 'results.json', '--json']).map((c) => c.name)).toEqual(['gate']);
    expect(commandsToLoad(['--stack', 'local', 'run'])).toHaveLength(COMMANDS.length);
  });

  it('names every command, k6 and the exports included, when none is given', { timeout: 60_000 }, () => {
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'rushgate.js')], { encoding: 'utf8', timeout: 50_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`Name a command: ${COMMANDS.map((c) => c.name).join(', ')}.`);
    for (const name of ['run', 'gate', 'k6', 'alerts', 'dashboard']) expect(r.stderr).toContain(name);
  });
});
