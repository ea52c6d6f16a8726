import { writeFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { EXIT } from '../errors.ts';
import { buildDashboard } from '../monitoring/grafana-dashboard.ts';

export const dashboardCommand = {
  command: 'dashboard <action>',
  describe: "Export a Grafana dashboard of the panels the alert rules watch (reads the rules' recorded series)",
  builder: (y: Argv) =>
    y
      .positional('action', { choices: ['export'] as const, describe: 'What to do' })
      .option('title', { type: 'string', describe: 'Dashboard title' })
      .option('out', { type: 'string', describe: 'Write the JSON here instead of stdout' }),
  handler: async (args: Record<string, unknown>): Promise<number> => {
    const json = `${JSON.stringify(buildDashboard(args.title as string | undefined), null, 2)}\n`;
    if (args.out) {
      writeFileSync(String(args.out), json);
      process.stderr.write(`rushgate: wrote ${String(args.out)} (import it in Grafana: Dashboards > New > Import)\n`);
    } else process.stdout.write(json);
    return EXIT.passed;
  },
};
