import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { EXIT, exitCodeFor } from './errors.ts';
import { cleanupAll } from './lifecycle/cleanup.ts';
import { redactText } from './redact.ts';
import { cleanupCommand } from './commands/cleanup-command.ts';
import { gateCommand } from './commands/gate-command.ts';
import { incidentCommand } from './commands/incident-command.ts';
import { k6Command } from './commands/k6-command.ts';
import { compareCommand, reportCommand } from './commands/report-command.ts';
import { runCommand } from './commands/run-command.ts';
import { scenarioCommand } from './commands/scenario-command.ts';
import { watchCommand } from './commands/watch-command.ts';

/** Each command is plain data: yargs wiring lives here once, and every handler returns its exit code. */
const COMMANDS = [runCommand, incidentCommand, gateCommand, watchCommand, reportCommand, compareCommand, k6Command, scenarioCommand, cleanupCommand];

// This file alone turns errors into messages and exit codes.
async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.passed;
  let cli: Argv = yargs(argv).scriptName('rushgate');
  for (const c of COMMANDS) {
    cli = cli.command(c.command, c.describe, c.builder, async (args) => {
      code = await c.handler(args);
    });
  }
  cli = cli
    .usage('$0 <command> [options]\n\nQueue-saturation load test and deploy gate for queue-backed ingestion APIs.')
    .demandCommand(1, 'Name a command: run, incident, gate, watch, report, compare, k6 or cleanup.')
    .strict()
    .epilogue('Exit codes: 0 gate passed, 1 gate failed, 2 usage or configuration error, 3 could not run.')
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((message, err) => {
      if (err) throw err;
      process.stderr.write(`rushgate: ${message}\nRun \`rushgate --help\` for usage.\n`);
      process.exit(EXIT.usage);
    });
  await cli.parseAsync();
  return code;
}

try {
  process.exitCode = await main(hideBin(process.argv));
} catch (err) {
  const known = exitCodeFor(err);
  const message = redactText((err as Error)?.message ?? String(err));
  if (known !== undefined) {
    process.stderr.write(`rushgate: ${message}\n`);
    process.exitCode = known;
  } else {
    // Not an error we anticipated: keep the stack, it is a bug report.
    process.stderr.write(`rushgate: unexpected error: ${redactText((err as Error)?.stack ?? message)}\n`);
    process.exitCode = EXIT.cannotRun;
  }
} finally {
  await cleanupAll();
}
