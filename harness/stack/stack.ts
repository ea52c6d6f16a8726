import type { Publisher } from './target-process.ts';

export type StackKind = 'local' | 'testcontainers' | 'external';

/** What a run asks of a stack provider. */
export interface StackRequest {
  connectionMax?: number;
  target: {
    command?: string;
    publisher?: Publisher;
    units: number;
    verifyExchange?: string;
    healthPath?: string;
  };
  /** For `external`: where the already-running pieces are. */
  external?: { amqpUrl: string; managementUrl: string; prometheusUrl: string; targetUrl: string };
  /** Directory for broker/target logs of this run. */
  logDir?: string;
  log?: (line: string) => void;
}

/** A started stack owns its cleanup: stop() undoes everything start() did, and is idempotent. */
export interface StartedStack {
  kind: StackKind;
  amqpUrl: string;
  managementUrl: string;
  prometheusUrl: string;
  targetUrl: string;
  managementAuth: { username: string; password: string };
  connectionMax?: number;
  targetDescription: string;
  /** Strings that must be scrubbed from anything shown or saved. */
  secrets: string[];
  /** rabbitmqctl against the broker, where the provider can offer it. */
  brokerCtl?: (args: string[]) => Promise<string>;
  /** Last lines of the target's output (redacted), for error messages. */
  targetTail(): string;
  stop(): Promise<void>;
}

export class StackError extends Error {
  override name = 'StackError';
}
