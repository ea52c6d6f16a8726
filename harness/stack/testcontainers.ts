import { join } from 'node:path';
import { TcpProxy } from '../chaos/proxy/tcp-proxy.ts';
import { REPO_ROOT } from '../paths.ts';
import { brokerImage, DEFAULT_NODE_IMAGE, LOCAL_BROKER_IMAGE, LOCAL_NODE_IMAGE, serviceImage, targetImage } from './container-images.ts';
import { dockerAvailable, imagePresent, pullImage } from './docker-probe.ts';
import { brokerAddress, clusterControl, withPort } from './local.ts';
import { StackError, type StackRequest, type StartedStack } from './stack.ts';
import { startTarget } from './target-process.ts';

const PULL_TIMEOUT_MS = 300_000;

/**
 * The broker (and, unless --target-command is given, the target) in containers on the host's network:
 * the same loopback-only topology as the local stack, so probes, faults and reports cannot tell the
 * difference. Everything started is removed by stop() and on every exit path.
 */
export async function startContainerStack(req: StackRequest): Promise<StartedStack> {
  const log = req.log ?? (() => {});
  const docker = await dockerAvailable();
  if (!docker.ok) throw new StackError(`--stack testcontainers needs a Docker engine: ${docker.reason}. Start Docker, or use --stack local.`);
  await configureRyuk(log);

  const broker = brokerImage(req.containers?.brokerImage);
  await ensureImage(broker, log, `or build one without a registry: docker/build-local-images.sh, then set RUSHGATE_BROKER_IMAGE=${LOCAL_BROKER_IMAGE}`);
  // Imported here: loading testcontainers costs seconds, and only this provider needs it.
  const { containerAsClusterNode, startRabbitContainer } = await import('./rabbitmq-container.ts');
  const { startRabbitContainerCluster } = await import('./rabbitmq-container-cluster.ts');
  const { startTargetContainer } = await import('./target-container.ts');

  const brokerNodes = req.brokerNodes ?? 1;
  log(brokerNodes > 1 ? `starting ${brokerNodes} broker containers from ${broker} as one cluster` : `starting broker container from ${broker}`);
  const cluster =
    brokerNodes > 1
      ? await startRabbitContainerCluster({ image: broker, nodes: brokerNodes, connectionMax: req.connectionMax, logDir: req.logDir })
      : undefined;
  const node =
    cluster?.members[0] ??
    (await startRabbitContainer({
      image: broker,
      connectionMax: req.connectionMax,
      logFile: req.logDir ? join(req.logDir, 'broker.log') : undefined,
    }));
  const members = cluster?.members ?? [node];
  const stopBroker = () => (cluster ?? node).stop();
  const secrets = [node.credentials.password, node.cookie];
  let proxy: TcpProxy | undefined;
  try {
    // As in the local stack: the target reaches the broker through the proxy, so network faults hit its path only (the first node's).
    proxy = req.amqpProxy ? new TcpProxy(brokerAddress(node.amqpUrl)) : undefined;
    const targetAmqpUrl = proxy ? withPort(node.amqpUrl, (await proxy.start()).port) : node.amqpUrl;
    const targetAmqpUrls = [targetAmqpUrl, ...members.slice(1).map((m) => m.amqpUrl)];
    const logFile = req.logDir ? join(req.logDir, 'target.log') : undefined;
    let target: { url: string; description: string; tail(lines?: number): string; stop(): Promise<void> };
    if (req.target.command) {
      target = await startTarget({ amqpUrl: targetAmqpUrl, amqpUrls: targetAmqpUrls, ...req.target, secrets, logFile });
    } else {
      const userImage = targetImage(req.containers?.targetImage);
      const image = userImage ?? (await ensureServiceImage(log));
      if (userImage) await ensureImage(userImage, log, 'build or pull it first');
      log(`starting target container from ${image}`);
      target = await startTargetContainer({
        image,
        amqpUrl: targetAmqpUrl,
        amqpUrls: targetAmqpUrls,
        publisher: userImage ? undefined : (req.target.publisher ?? 'shared'),
        units: req.target.units,
        verifyExchange: req.target.verifyExchange,
        healthPath: req.target.healthPath,
        secrets,
        logFile,
      });
    }
    return {
      kind: 'testcontainers',
      amqpUrl: node.amqpUrl,
      managementUrl: node.managementUrl,
      prometheusUrl: node.prometheusUrl,
      targetUrl: target.url,
      managementAuth: node.credentials,
      connectionMax: node.connectionMax,
      targetDescription: target.description,
      secrets,
      brokerCtl: node.ctl,
      restartBroker: (downMs) => node.restart(downMs),
      nodes: cluster ? cluster.nodes() : [containerAsClusterNode(node)],
      amqpUrls: members.map((m) => m.amqpUrl),
      cluster: cluster ? clusterControl(cluster) : undefined,
      proxy,
      targetTail: () => target.tail(),
      stop: async () => {
        await target.stop();
        await proxy?.stop();
        await stopBroker();
      },
    };
  } catch (err) {
    await proxy?.stop();
    await stopBroker();
    throw err;
  }
}

async function ensureImage(image: string, log: (line: string) => void, hint: string): Promise<void> {
  if (await imagePresent(image)) return;
  log(`pulling ${image}`);
  const pulled = await pullImage(image, PULL_TIMEOUT_MS);
  if (!pulled.ok) throw new StackError(`image ${image} is not on this machine and ${pulled.reason}; pull it, ${hint}.`);
}

/** The reference service image, built from the repo's Dockerfile the first time it is needed. */
async function ensureServiceImage(log: (line: string) => void): Promise<string> {
  const image = serviceImage();
  if (await imagePresent(image)) return image;
  const nodeImage = process.env.RUSHGATE_NODE_IMAGE || ((await imagePresent(LOCAL_NODE_IMAGE)) ? LOCAL_NODE_IMAGE : DEFAULT_NODE_IMAGE);
  await ensureImage(nodeImage, log, 'or run docker/build-local-images.sh');
  log(`building ${image} from ${join(REPO_ROOT, 'Dockerfile')} on ${nodeImage} (once; about a minute)`);
  const { GenericContainer } = await import('testcontainers');
  try {
    await GenericContainer.fromDockerfile(REPO_ROOT).withBuildArgs({ NODE_IMAGE: nodeImage }).build(image, { deleteOnExit: false });
  } catch (err) {
    throw new StackError(
      `building ${image} from the repo's Dockerfile failed: ${(err as Error).message}\n` +
        `Build it yourself (docker build -t ${image} .), or without a registry: docker/build-local-images.sh.`,
    );
  }
  return image;
}

/**
 * Ryuk removes containers if the harness is killed outright; use it where its image is here or can be
 * pulled. Where neither, disable it (testcontainers would otherwise fail to start anything) and rely on
 * rushgate's own cleanup, which covers every exit short of SIGKILL.
 */
async function configureRyuk(log: (line: string) => void): Promise<void> {
  if (process.env.TESTCONTAINERS_RYUK_DISABLED !== undefined) return;
  const ryuk = process.env.RYUK_CONTAINER_IMAGE || (await ryukImageName());
  if (await imagePresent(ryuk)) return;
  const pulled = await pullImage(ryuk, 60_000);
  if (pulled.ok) return;
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  log(`Ryuk (${ryuk}) is not available here; rushgate removes its containers itself`);
}

async function ryukImageName(): Promise<string> {
  // testcontainers pins the Ryuk version it expects; ask it rather than repeat the tag here.
  const reaper = (await import('testcontainers/build/reaper/reaper.js')) as { REAPER_IMAGE?: string };
  return reaper.REAPER_IMAGE ?? 'testcontainers/ryuk:0.14.0';
}
