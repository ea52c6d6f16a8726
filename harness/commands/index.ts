// The one list of commands. Each entry names its module and loads it on demand, so `rushgate --version`
// and `rushgate gate` do not pay for the load driver, the broker stack and the chart renderer.
import type { Argv } from 'yargs';

export interface CommandModule {
  command: string;
  describe: string;
  builder: (y: Argv) => Argv<object>;
  handler: (args: Record<string, unknown>) => Promise<number>;
}

export interface CommandEntry {
  name: string;
  /** The module's own `command` and `describe`, repeated here for help without loading it (a test keeps them equal). */
  command: string;
  describe: string;
  load: () => Promise<CommandModule>;
}

export const COMMANDS: CommandEntry[] = [
  {
    name: 'run',
    command: 'run',
    describe: 'Replay a scenario against a target and gate on broker connections, errors and latency',
    load: async () => (await import('./run-command.ts')).runCommand,
  },
  {
    name: 'incident',
    command: 'incident',
    describe: 'Reproduce the outage: the European morning burst against the leaky service, then the fixed one',
    load: async () => (await import('./incident-command.ts')).incidentCommand,
  },
  {
    name: 'gate',
    command: 'gate <results> [limits..]',
    describe: 'Re-evaluate a saved results.json against (other) limits; no broker needed',
    load: async () => (await import('./gate-command.ts')).gateCommand,
  },
  {
    name: 'watch',
    command: 'watch',
    describe: 'Sample an existing broker while other load runs, then gate on what the broker shows',
    load: async () => (await import('./watch-command.ts')).watchCommand,
  },
  {
    name: 'report',
    command: 'report <results>',
    describe: 'Re-render the reports (HTML, Markdown, JUnit, charts) of a saved results.json',
    load: async () => (await import('./report-command.ts')).reportCommand,
  },
  {
    name: 'compare',
    command: 'compare <before> <after>',
    describe: 'A before/after report of two saved runs on the same charts',
    load: async () => (await import('./report-command.ts')).compareCommand,
  },
  {
    name: 'k6',
    command: 'k6 <action>',
    describe: 'Export a scenario as a k6 script (ramping-arrival-rate), for loads one machine cannot offer',
    load: async () => (await import('./k6-command.ts')).k6Command,
  },
  {
    name: 'alerts',
    command: 'alerts <action>',
    describe: "Export Prometheus alerting and recording rules that watch, on RabbitMQ's metrics, what the gate judges",
    load: async () => (await import('./alerts-command.ts')).alertsCommand,
  },
  {
    name: 'dashboard',
    command: 'dashboard <action>',
    describe: "Export a Grafana dashboard of the panels the alert rules watch (reads the rules' recorded series)",
    load: async () => (await import('./dashboard-command.ts')).dashboardCommand,
  },
  {
    name: 'scenario',
    command: 'scenario <action>',
    describe: 'Write a starting scenario for your own API (from an OpenAPI 3 document)',
    load: async () => (await import('./scenario-command.ts')).scenarioCommand,
  },
  {
    name: 'cleanup',
    command: 'cleanup',
    describe: 'Stop the processes and remove the temp dirs and containers that killed runs left behind',
    load: async () => (await import('./cleanup-command.ts')).cleanupCommand,
  },
];

/**
 * Which modules to import for these arguments: the named command's; none for bare `--version`/`--help`;
 * all of them when the first word is no command (an option before it), so yargs still sees every builder.
 */
export function commandsToLoad(argv: readonly string[]): CommandEntry[] {
  const first = argv.find((a) => !a.startsWith('-'));
  if (first === undefined) return [];
  const named = COMMANDS.find((c) => c.name === first);
  return named ? [named] : COMMANDS;
}
