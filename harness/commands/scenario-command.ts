import { existsSync, writeFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { EXIT, UsageError } from '../errors.ts';
import { scenarioFromOpenApi } from '../../scenarios/calls/from-openapi.ts';
import { defineScenario, type ScenarioSpec } from '../../scenarios/define-scenario.ts';

export const scenarioCommand = {
  command: 'scenario <action>',
  describe: 'Write a starting scenario for your own API (from an OpenAPI 3 document)',
  builder: (y: Argv) =>
    y
      .positional('action', { choices: ['new'] as const, describe: 'What to do' })
      .option('from-openapi', { type: 'string', demandOption: true, describe: 'OpenAPI 3 document (.yaml or .json)' })
      .option('name', { type: 'string', describe: 'Scenario name (default: from the API title)' })
      .option('out', { type: 'string', describe: 'Write the scenario here (.ts) instead of stdout' })
      .option('force', { type: 'boolean', default: false, describe: 'Overwrite --out if it exists' }),
  handler: async (args: Record<string, unknown>): Promise<number> => {
    const file = String(args['from-openapi']);
    if (!existsSync(file)) throw new UsageError(`--from-openapi ${file}: no such file.`);
    const out = args.out as string | undefined;
    if (out && existsSync(out) && !args.force) throw new UsageError(`--out ${out} exists; pass --force to overwrite it.`);
    const { spec, text, calls } = await scenarioFromOpenApi(file, args.name as string | undefined);
    // What is written must load: checked here, not when the user first runs it.
    defineScenario(spec as unknown as ScenarioSpec, file);
    if (out) {
      writeFileSync(out, text);
      process.stderr.write(`rushgate: wrote ${out} with ${calls.length} call${calls.length === 1 ? '' : 's'} (${calls.join(', ')}); run it with: rushgate run --scenario ${out} --target-command "..."\n`);
    } else {
      process.stdout.write(text);
    }
    return EXIT.passed;
  },
};
