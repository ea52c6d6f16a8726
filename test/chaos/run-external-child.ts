// A run on an external stack in a child process, for the revert-on-SIGINT test: the parent owns the
// broker (so it outlives the interrupted run) and lends this run its control channel over the IPC channel.
// Config comes as JSON in RUSHGATE_CHILD_RUN; progress goes to stdout as "LOG <line>", the end as "DONE".
import { executeRun } from '../../harness/run/execute-run.ts';
import type { ExternalPieces } from '../../harness/stack/stack.ts';

interface ChildConfig {
  scenario: string;
  outDir: string;
  external: Omit<ExternalPieces, 'brokerCtl' | 'brokerErl'>;
}

const cfg = JSON.parse(process.env.RUSHGATE_CHILD_RUN ?? '{}') as ChildConfig;
const waiting = new Map<number, { resolve: (out: string) => void; reject: (err: Error) => void }>();
let nextId = 0;
process.on('message', (m: { id: number; stdout?: string; error?: string }) => {
  const p = waiting.get(m.id);
  waiting.delete(m.id);
  if (m.error !== undefined) p?.reject(new Error(m.error));
  else p?.resolve(m.stdout ?? '');
});
/** An Erlang expression the parent evaluates on its node (StartedRabbitNode's `erl`). */
const brokerErl = (node: string | undefined, expr: string, notBeforeEpochMs?: number) =>
  new Promise<string>((resolve, reject) => {
    const id = nextId++;
    waiting.set(id, { resolve, reject });
    process.send!({ id, node, expr, notBeforeEpochMs });
  });

const record = await executeRun({
  scenario: cfg.scenario,
  stack: 'external',
  external: { ...cfg.external, brokerErl },
  units: 1,
  limits: { args: [] },
  abortOnFail: false,
  outDir: cfg.outDir,
  log: (line) => process.stdout.write(`LOG ${line}\n`),
});
process.stdout.write(`DONE ${record.verdict.passed ? 'passed' : 'failed'}\n`);
process.disconnect();
