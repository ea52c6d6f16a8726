import type { Argv } from 'yargs';
import { EXIT, exitCodeFor } from './errors.ts';
import { cleanupAll } from './lifecycle/cleanup.ts';
import { redactText } from './redact.ts';
import { COMMANDS, commandsToLoad, type CommandModule } from './commands/index.ts';
import { TOOL_VERSION } from './version.ts';

// This file alone turns errors into messages and exit codes.
async function main(argv: string[]): Promise<number> {
  // Asked in scripts and health checks: answer before loading yargs, which is most of the startup cost.
  if (argv.length === 1 && argv[0] === '--version') {
    process.stdout.write(`${TOOL_VERSION}\n`);
    return EXIT.passed;
  }
  const { default: yargs } = await import('yargs');
  let code: number = EXIT.passed;
  let cli: Argv = yargs(argv).scriptName('rushgate').version(TOOL_VERSION);
  // Only the command being run is imported (startup stays fast); the others are listed by name for help.
  const loaded = new Map<string, CommandModule>();
  for (const c of commandsToLoad(argv)) loaded.set(c.command, await c.load());
  for (const c of COMMANDS) {
    const m = loaded.get(c.command);
    cli = cli.command(c.command, c.describe, m?.builder ?? {}, async (args) => {
      if (m) code = await m.handler(args);
    });
  }
  cli = cli
    .usage('$0 <command> [options]\n\nQueue-saturation load test and deploy gate for queue-backed ingestion APIs.')
    .demandCommand(1, `Name a command: ${COMMANDS.map((c) => c.name).join(', ')}.`)
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
  process.exitCode = await main(process.argv.slice(2));
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
