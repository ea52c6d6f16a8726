// What the pool's main-process side (global-setup.ts) and a test file's side (../shared-broker.ts) say
// to each other.

/** Where a test file reaches the pool: given to workers with vitest's provide/inject. */
export interface BrokerPoolAccess {
  url: string;
  token: string;
}

/** A leased node, as a test file sees it (the node's processes stay in the main process). */
export interface LeasedBrokerInfo {
  id: string;
  amqpUrl: string;
  managementUrl: string;
  prometheusUrl: string;
  credentials: { username: string; password: string };
  nodeName: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Absent when the file runs under a config without the pool (it then starts its own node). */
    rushgateBrokerPool?: BrokerPoolAccess;
  }
}
