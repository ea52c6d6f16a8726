import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { EXIT, exitCodeFor } from './errors.ts';
import { cleanupAll } from './lifecycle/cleanup.ts';
import { redactText } from './redact.ts';
import { gateCommand } from './commands/gate-command.ts';
import { incidentCommand } from './commands/incident-command.ts';
import { k6Command } from './commands/k6-command.ts';
import { compareCommand, reportCommand } from './commands/report-command.ts';
import { runCommand } from './commands/run-command.ts';
import { watchCommand } from './commands/watch-command.ts';

// Every command returns its exit code; this file alone turns errors into messages and codes.
async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.passed;
  const cli: Argv = yargs(argv)
    .scriptName('rushgate')
    .usage('$0 <command> [options]\n\nQueue-saturation load test and deploy gate for queue-backed ingestion APIs.')
    .command(runCommand.command, runCommand.describe, runCommand.builder, async (args) => {
      code = await runCommand.handler(args);
    })
    .command(incidentCommand.command, incidentCommand.describe, incidentCommand.builder, async (args) => {
      code = await incidentCommand.handler(args);
    })
    .command(gateCommand.command, gateCommand.describe, gateCommand.builder, async (args) => {
      code = await gateCommand.handler(args);
    })
    .command(watchCommand.command, watchCommand.describe, watchCommand.builder, async (args) => {
      code = await watchCommand.handler(args);
    })
    .command(reportCommand.command, reportCommand.describe, reportCommand.builder, async (args) => {
      code = await reportCommand.handler(args);
    })
    .command(compareCommand.command, compareCommand.describe, compareCommand.builder, async (args) => {
      code = await compareCommand.handler(args);
    })
    .command(k6Command.command, k6Command.describe, k6Command.builder, async (args) => {
      code = await k6Command.handler(args);
    })
    .demandCommand(1, 'Name a command: run, incident, gate, watch, report or compare.')
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
