import { writeFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { EXIT, UsageError } from '../errors.ts';
import { resolveLimits } from '../gate/resolve-limits.ts';
import { exportK6Script, k6Caveats, K6_TS_VERSION } from '../k6/export.ts';
import { resolveSchedule } from '../../scenarios/schedule.ts';
import { parseDuration } from '../parse-duration.ts';
import { loadScenario } from '../../scenarios/index.ts';

export const k6Command = {
  command: 'k6 <action>',
  describe: 'Export a scenario as a k6 script (ramping-arrival-rate), for loads one machine cannot offer',
  builder: (y: Argv) =>
    y
      .positional('action', { choices: ['export'] as const, describe: 'What to do' })
      .option('scenario', { type: 'string', demandOption: true, describe: 'Built-in scenario name or path to a scenario file' })
      .option('duration', { type: 'string', describe: 'Wall time the timeline is compressed into' })
      .option('peak-rps', { type: 'number', describe: 'Scale the load so its peak is this many requests/s' })
      .option('limit', { type: 'string', array: true, default: [] as string[], describe: 'Gate limits the thresholds mirror' })
      .option('out', { type: 'string', describe: 'Write the script here instead of stdout' }),
  handler: async (args: Record<string, unknown>): Promise<number> => {
    const peakRps = args['peak-rps'] as number | undefined;
    if (peakRps !== undefined && !(peakRps > 0)) throw new UsageError(`--peak-rps must be more than zero (got ${peakRps}).`);
    const durationSec = args.duration === undefined ? undefined : parseDuration(String(args.duration), '--duration');
    const scenario = await loadScenario(String(args.scenario));
    const script = exportK6Script(scenario, { durationSec, peakRps, limits: resolveLimits({ args: args.limit as string[] }) });
    const schedule = resolveSchedule(scenario, { durationSec, peakRps });
    process.stderr.write(
      `rushgate: k6 ${K6_TS_VERSION} or later runs the .ts script as it is. Not carried by it:\n${k6Caveats(schedule).map((c) => `  - ${c}\n`).join('')}` +
        `rushgate: for the broker rules, run beside k6: rushgate watch --prometheus-url http://broker:15692 --management-url http://user:pass@broker:15672 --duration ${Math.ceil(schedule.wallDurationSec + 15)}s\n`,
    );
    if (args.out) {
      writeFileSync(String(args.out), script);
      process.stderr.write(`rushgate: wrote ${String(args.out)} (run it with: k6 run ${String(args.out)})\n`);
    } else {
      process.stdout.write(script);
    }
    return EXIT.passed;
  },
};
