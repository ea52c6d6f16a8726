import { CannotRunError } from '../errors.ts';
import { useExternalStack } from './external.ts';
import { startLocalStack } from './local.ts';
import { rabbitmqInstalled } from './rabbitmq-node.ts';
import type { StackKind, StackRequest, StartedStack } from './stack.ts';

export type StackChoice = StackKind | 'auto';

/** Decides which provider `--stack auto` means on this machine, and why (shown to the user). */
export async function resolveStackKind(choice: StackChoice): Promise<{ kind: StackKind; reason: string }> {
  if (choice !== 'auto') return { kind: choice, reason: `--stack ${choice}` };
  if (rabbitmqInstalled()) return { kind: 'local', reason: 'rabbitmq-server is installed on this machine' };
  throw new CannotRunError(
    'No way to start a broker here: rabbitmq-server is not installed. Run `npm run bootstrap` ' +
      '(or `sudo apt-get install rabbitmq-server`), or point rushgate at running pieces with --stack external.',
  );
}

export async function startStack(kind: StackKind, req: StackRequest): Promise<StartedStack> {
  switch (kind) {
    case 'local':
      return startLocalStack(req);
    case 'external':
      return useExternalStack(req);
    case 'testcontainers':
      throw new CannotRunError('--stack testcontainers is not available in this build; use --stack local.');
  }
}
