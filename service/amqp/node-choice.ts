/**
 * Which broker node a unit talks to, on a cluster (AMQP_URLS): a random one at first, so units spread
 * over the nodes, and the next one in the list after that node failed. A single URL is a one-node list.
 */
export interface NodeChoice {
  /** The URL to connect to now. */
  current(): string;
  /** That node failed (connection lost or refused): move on to the next one. */
  failover(): void;
  readonly size: number;
}

export function createNodeChoice(urls: readonly string[], random: () => number = Math.random): NodeChoice {
  if (urls.length === 0) throw new Error('no broker URL to choose from');
  let index = Math.floor(random() * urls.length) % urls.length;
  return {
    current: () => urls[index] as string,
    failover: () => {
      index = (index + 1) % urls.length;
    },
    size: urls.length,
  };
}
