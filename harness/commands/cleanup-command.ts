import { EXIT } from '../errors.ts';
import { ledgerDir } from '../lifecycle/run-ledger.ts';
import { sweepDeadRuns } from '../lifecycle/sweep-dead-runs.ts';

export const cleanupCommand = {
  command: 'cleanup',
  describe: 'Stop the processes and remove the temp dirs and containers that killed runs left behind',
  builder: <T>(y: T) => y,
  handler: async (): Promise<number> => {
    const say = (line: string) => process.stdout.write(`rushgate: ${line}\n`);
    const swept = await sweepDeadRuns(say);
    if (swept.every((r) => r.processes + r.dirs + r.containers === 0)) say(`nothing left behind by dead runs (ledgers in ${ledgerDir()}).`);
    return EXIT.passed;
  },
};
