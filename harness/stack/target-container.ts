import { randomBytes } from 'node:crypto';
import { GenericContainer } from 'testcontainers';
import { freePort } from './free-port.ts';
import { startOwnedContainer } from './owned-container.ts';
import { ReadinessTimeoutError, waitForHttp } from './readiness.ts';
import { TargetStartError, type Publisher } from './target-process.ts';

export interface TargetContainerOptions {
  image: string;
  amqpUrl: string;
  /** Every broker node's URL (first = amqpUrl), given to the target as AMQP_URLS. */
  amqpUrls?: string[];
  /** Set for the reference service image (PUBLISHER env); a user's image ignores it. */
  publisher?: Publisher;
  units: number;
  verifyExchange?: string;
  healthPath?: string;
  readyTimeoutMs?: number;
  secrets?: string[];
  logFile?: string;
}

export interface StartedTargetContainer {
  url: string;
  port: number;
  description: string;
  containerName: string;
  tail(lines?: number): string;
  stop(): Promise<void>;
}

/**
 * The service under test as a container on the host's network, given the target contract's environment
 * (PORT, AMQP_URL, UNITS; HOST=127.0.0.1 so it stays on loopback), and awaited on its health path.
 */
export async function startTargetContainer(opts: TargetContainerOptions): Promise<StartedTargetContainer> {
  const port = await freePort();
  const healthPath = opts.healthPath ?? '/healthz';
  const description = opts.publisher
    ? `reference service image ${opts.image} (publisher ${opts.publisher})`
    : `target image ${opts.image}`;
  const builder = new GenericContainer(opts.image).withNetworkMode('host').withEnvironment({
    PORT: String(port),
    HOST: '127.0.0.1',
    AMQP_URL: opts.amqpUrl,
    AMQP_URLS: (opts.amqpUrls ?? [opts.amqpUrl]).join(','),
    UNITS: String(opts.units),
    ...(opts.verifyExchange ? { VERIFY_EXCHANGE: opts.verifyExchange } : {}),
    ...(opts.publisher ? { PUBLISHER: opts.publisher } : {}),
  });
  const containerName = `rushgate-target-${randomBytes(4).toString('hex')}`;
  const owned = await startOwnedContainer({ what: description, name: containerName, builder, logFile: opts.logFile, secrets: opts.secrets });
  const tail = (lines?: number) => owned.tail(lines);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp({
      what: description,
      url: `${url}${healthPath}`,
      timeoutMs: opts.readyTimeoutMs ?? 60_000,
      failFast: () => (owned.hasExited() ? `the container exited. Its last output:\n${tail(15)}` : undefined),
    });
  } catch (err) {
    await owned.stop();
    if (err instanceof ReadinessTimeoutError) {
      throw new TargetStartError(
        `${err.message}\nThe image runs on the host's network: it must listen on $HOST:$PORT (127.0.0.1) and answer ${healthPath} with 200.`,
      );
    }
    throw err;
  }
  return { url, port, description, containerName, tail, stop: () => owned.stop() };
}
