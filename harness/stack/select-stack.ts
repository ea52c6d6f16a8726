import { CannotRunError } from '../errors.ts';
import { brokerImage } from './container-images.ts';
import { containerStackUsable } from './docker-probe.ts';
import { useExternalStack } from './external.ts';
import { startLocalStack } from './local.ts';
import { rabbitmqInstalled } from './rabbitmq-node.ts';
import type { StackKind, StackRequest, StartedStack } from './stack.ts';

export type StackChoice = StackKind | 'auto';

/**
 * Decides which provider `--stack auto` means on this machine, and why (shown to the user): containers
 * when Docker answers and has (or can pull) the broker image; else the host's rabbitmq-server; else exit 3.
 * Docker without a registry is not an error, just a reason to go local.
 */
export async function resolveStackKind(
  choice: StackChoice,
  opts: { brokerImage?: string } = {},
): Promise<{ kind: StackKind; reason: string }> {
  if (choice !== 'auto') return { kind: choice, reason: `--stack ${choice}` };
  const image = brokerImage(opts.brokerImage);
  const containers = await containerStackUsable(image);
  if (containers.ok) return { kind: 'testcontainers', reason: containers.detail };
  if (rabbitmqInstalled()) return { kind: 'local', reason: `rabbitmq-server is installed on this machine; containers not used: ${containers.reason}` };
  throw new CannotRunError(
    `No way to start a broker here: rabbitmq-server is not installed, and containers cannot be used (${containers.reason}). ` +
      'Run `npm run bootstrap` (or `sudo apt-get install rabbitmq-server`), or start Docker with access to ' +
      `${image}, or point rushgate at running pieces with --stack external.`,
  );
}

export async function startStack(kind: StackKind, req: StackRequest): Promise<StartedStack> {
  switch (kind) {
    case 'local':
      return startLocalStack(req);
    case 'external':
      return useExternalStack(req);
    case 'testcontainers': {
      // Loaded only when used: testcontainers takes seconds to import.
      const { startContainerStack } = await import('./testcontainers.ts');
      return startContainerStack(req);
    }
  }
}
