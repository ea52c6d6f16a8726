// Is there a Docker engine here, and does it have (or can it get) an image? Answers `--stack auto` and
// the container tests' skip logic. Never throws: each answer says why not, for the user to read.
import { engineRequest, findDockerEndpoint, pullStreamError, splitImageName } from './docker-engine.ts';

export type Probe = { ok: true; detail: string } | { ok: false; reason: string };

const PING_TIMEOUT_MS = 5_000;

export async function dockerAvailable(): Promise<Probe> {
  const endpoint = findDockerEndpoint();
  if (!endpoint) return { ok: false, reason: 'no Docker engine found (no DOCKER_HOST, no docker.sock)' };
  if (endpoint.kind === 'other') {
    try {
      const client = await withTimeout(runtimeClient(), 20_000, `Docker at ${endpoint.dockerHost} did not answer`);
      return { ok: true, detail: `Docker ${client.info.containerRuntime.host} (${endpoint.dockerHost})` };
    } catch (err) {
      return { ok: false, reason: `Docker at ${endpoint.dockerHost} does not answer: ${(err as Error).message}` };
    }
  }
  try {
    const ping = await engineRequest(endpoint.socketPath, 'GET', '/_ping', PING_TIMEOUT_MS);
    if (ping.status !== 200) return { ok: false, reason: `Docker at ${endpoint.socketPath} answered /_ping with HTTP ${ping.status}` };
    const version = await engineRequest(endpoint.socketPath, 'GET', '/version', PING_TIMEOUT_MS);
    const v = JSON.parse(version.body) as { Version?: string };
    return { ok: true, detail: `Docker ${v.Version ?? '?'} at ${endpoint.socketPath}` };
  } catch (err) {
    return { ok: false, reason: `Docker at ${endpoint.socketPath} does not answer (${describe(err)})` };
  }
}

export async function imagePresent(image: string): Promise<boolean> {
  const endpoint = findDockerEndpoint();
  if (!endpoint) return false;
  try {
    if (endpoint.kind === 'other') {
      const { ImageName } = await import('testcontainers');
      return await (await runtimeClient()).image.exists(ImageName.fromString(image));
    }
    const res = await engineRequest(endpoint.socketPath, 'GET', `/images/${encodeURIComponent(image)}/json`, PING_TIMEOUT_MS);
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Pulls an image; resolves with why not when the registry cannot be reached or refuses. */
export async function pullImage(image: string, timeoutMs: number): Promise<Probe> {
  const endpoint = findDockerEndpoint();
  if (!endpoint) return { ok: false, reason: 'no Docker engine found' };
  try {
    if (endpoint.kind === 'other') {
      const { ImageName } = await import('testcontainers');
      const client = await runtimeClient();
      await withTimeout(client.image.pull(ImageName.fromString(image)), timeoutMs, `pull took more than ${timeoutMs / 1000} s`);
      return { ok: true, detail: `pulled ${image}` };
    }
    const { repo, tag } = splitImageName(image);
    const query = `fromImage=${encodeURIComponent(repo)}&tag=${encodeURIComponent(tag)}`;
    const res = await engineRequest(endpoint.socketPath, 'POST', `/images/create?${query}`, timeoutMs);
    const error = res.status === 200 ? pullStreamError(res.body) : firstLine(res.body);
    if (error) return { ok: false, reason: `could not pull ${image}: ${error}` };
    return (await imagePresent(image)) ? { ok: true, detail: `pulled ${image}` } : { ok: false, reason: `pull of ${image} ended without the image` };
  } catch (err) {
    return { ok: false, reason: `could not pull ${image}: ${describe(err)}` };
  }
}

/** Docker answers and has the image, or fetched it now: what `--stack auto` needs to pick containers. */
export async function containerStackUsable(brokerImage: string, pullTimeoutMs = 300_000): Promise<Probe> {
  const docker = await dockerAvailable();
  if (!docker.ok) return docker;
  if (await imagePresent(brokerImage)) return { ok: true, detail: `${docker.detail}, ${brokerImage} present` };
  const pulled = await pullImage(brokerImage, pullTimeoutMs);
  return pulled.ok ? { ok: true, detail: `${docker.detail}, ${pulled.detail}` } : { ok: false, reason: `${docker.detail} answers, but ${pulled.reason}` };
}

async function runtimeClient() {
  const { getContainerRuntimeClient } = await import('testcontainers');
  return getContainerRuntimeClient();
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function firstLine(body: string): string {
  try {
    return (JSON.parse(body) as { message?: string }).message ?? body.split('\n')[0] ?? '';
  } catch {
    return body.split('\n')[0] ?? '';
  }
}

function describe(err: unknown): string {
  const code = (err as { code?: string }).code;
  return code ? `${code}: ${(err as Error).message}` : (err as Error).message;
}
