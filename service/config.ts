import { parseArgs } from 'node:util';

export const PUBLISHER_KINDS = ['leaky', 'per-request', 'shared'] as const;
export type PublisherKind = (typeof PUBLISHER_KINDS)[number];
export const QUEUE_TYPES = ['classic', 'quorum'] as const;
export type QueueType = (typeof QUEUE_TYPES)[number];

export interface ServiceConfig {
  host: string;
  port: number;
  /** The first of amqpUrls. */
  amqpUrl: string;
  /** Every broker node (AMQP_URLS, comma-separated; else AMQP_URL alone). */
  amqpUrls: string[];
  units: number;
  publisher: PublisherKind;
  /** Topic exchange every accepted call is published to (the harness taps it with --verify-exchange). */
  exchange: string;
  /** Durable queue bound to the exchange with '#', consumed by the traceability worker. */
  queue: string;
  /** The work queue's type: quorum on a cluster (more than one URL) unless ITEMS_QUEUE_TYPE says otherwise. */
  queueType: QueueType;
  consumer: boolean;
  bodyLimitBytes: number;
  connectTimeoutMs: number;
  confirmTimeoutMs: number;
  drainTimeoutMs: number;
  processingMs: number;
}

/** Every problem with the configuration at once, so one fix-and-retry cycle is enough. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const USAGE =
  'usage: PORT=<port> AMQP_URL=amqp://user:pass@host:5672 node --import tsx service/main.ts ' +
  '[--publisher leaky|per-request|shared] [--units N]';

export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): ServiceConfig {
  const problems: string[] = [];
  // Lenient parse plus our own check, so an unknown flag is reported alongside every other problem.
  const parsed = parseArgs({ args: argv, options: { publisher: { type: 'string' }, units: { type: 'string' } }, strict: false, tokens: true });
  const flags: { publisher?: string; units?: string } = {};
  for (const token of parsed.tokens ?? []) {
    if (token.kind === 'option' && (token.name === 'publisher' || token.name === 'units') && typeof token.value === 'string') {
      flags[token.name] = token.value;
    } else if (token.kind === 'option') {
      problems.push(`unknown or incomplete option ${token.rawName}. ${USAGE}`);
    } else if (token.kind === 'positional') {
      problems.push(`unexpected argument "${token.value}". ${USAGE}`);
    }
  }

  const int = (name: string, raw: string | undefined, fallback: number, min: number, max: number): number => {
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer in ${min}..${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };

  let port = 0;
  if (env.PORT === undefined || env.PORT === '') {
    problems.push('PORT is not set: give the HTTP port to listen on, e.g. PORT=8080 (0 picks a free one)');
  } else {
    port = int('PORT', env.PORT, 0, 0, 65_535);
  }

  const listed = (env.AMQP_URLS ?? '').split(',').map((u) => u.trim()).filter((u) => u !== '');
  const amqpUrl = env.AMQP_URL || listed[0] || '';
  const amqpUrls = listed.length > 0 ? listed : [amqpUrl];
  if (amqpUrl === '') {
    problems.push('AMQP_URL is not set: give the broker URL, e.g. AMQP_URL=amqp://guest:guest@127.0.0.1:5672');
  } else if (!/^amqps?:\/\/[^\s]+$/.test(amqpUrl)) {
    // Never echo the value: it may hold a password.
    problems.push('AMQP_URL must start with amqp:// or amqps:// (value not shown: it may contain credentials)');
  }
  listed.forEach((u, i) => {
    if (!/^amqps?:\/\/[^\s]+$/.test(u)) problems.push(`AMQP_URLS entry ${i + 1} must start with amqp:// or amqps:// (value not shown: it may contain credentials)`);
  });
  const queueTypeRaw = env.ITEMS_QUEUE_TYPE || (amqpUrls.length > 1 ? 'quorum' : 'classic');
  if (!(QUEUE_TYPES as readonly string[]).includes(queueTypeRaw)) problems.push(`ITEMS_QUEUE_TYPE must be classic or quorum, got "${queueTypeRaw}"`);

  const publisherRaw = flags.publisher ?? env.PUBLISHER ?? 'shared';
  if (!(PUBLISHER_KINDS as readonly string[]).includes(publisherRaw)) {
    problems.push(`publisher must be one of ${PUBLISHER_KINDS.join(', ')}, got "${publisherRaw}"`);
  }

  const exchange = env.VERIFY_EXCHANGE || 'rushgate.items';
  const queue = env.ITEMS_QUEUE || 'items';
  for (const [name, value] of [['VERIFY_EXCHANGE', exchange], ['ITEMS_QUEUE', queue]] as const) {
    if (!/^[A-Za-z0-9_.:-]{1,200}$/.test(value) || value.startsWith('amq.')) {
      problems.push(`${name} must be 1-200 characters of letters, digits, _ . : - and not start with "amq.", got "${value}"`);
    }
  }

  const consumerRaw = (env.CONSUMER ?? 'on').toLowerCase();
  if (!['on', 'off', 'true', 'false', '1', '0'].includes(consumerRaw)) problems.push(`CONSUMER must be on or off, got "${env.CONSUMER}"`);

  const config: ServiceConfig = {
    host: env.HOST || '127.0.0.1',
    port,
    amqpUrl,
    amqpUrls,
    units: int(flags.units !== undefined ? '--units' : 'UNITS', flags.units ?? env.UNITS, 1, 1, 64),
    publisher: publisherRaw as PublisherKind,
    exchange,
    queue,
    queueType: queueTypeRaw as QueueType,
    consumer: ['on', 'true', '1'].includes(consumerRaw),
    bodyLimitBytes: int('BODY_LIMIT_BYTES', env.BODY_LIMIT_BYTES, 1024 * 1024, 1024, 64 * 1024 * 1024),
    connectTimeoutMs: int('AMQP_CONNECT_TIMEOUT_MS', env.AMQP_CONNECT_TIMEOUT_MS, 2_000, 100, 60_000),
    confirmTimeoutMs: int('PUBLISH_CONFIRM_TIMEOUT_MS', env.PUBLISH_CONFIRM_TIMEOUT_MS, 5_000, 100, 120_000),
    drainTimeoutMs: int('SHUTDOWN_DRAIN_MS', env.SHUTDOWN_DRAIN_MS, 5_000, 0, 120_000),
    processingMs: int('CONSUMER_PROCESSING_MS', env.CONSUMER_PROCESSING_MS, 3, 0, 10_000),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
