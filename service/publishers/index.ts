import type { PublisherKind } from '../config.ts';
import { createLeakyPublisher } from './leaky.ts';
import { createPerRequestPublisher } from './per-request.ts';
import type { Publisher, PublisherContext } from './publisher.ts';
import { createSharedPublisher } from './shared.ts';

const FACTORIES: Record<PublisherKind, (ctx: PublisherContext) => Publisher> = {
  leaky: createLeakyPublisher,
  'per-request': createPerRequestPublisher,
  shared: createSharedPublisher,
};

export function createPublisher(kind: PublisherKind, ctx: PublisherContext): Publisher {
  return FACTORIES[kind](ctx);
}
