// Whether the container tests can run here, and what Docker holds, for the leftover checks.
// Where scripts/ci-docker.sh started Docker it sets RUSHGATE_REQUIRE_DOCKER=1: then a missing engine or
// image fails the tests instead of skipping them, so CI cannot go green without running them.
import { LOCAL_BROKER_IMAGE, LOCAL_SERVICE_IMAGE } from '../../harness/stack/container-images.ts';
import { engineRequest, findDockerEndpoint } from '../../harness/stack/docker-engine.ts';
import { dockerAvailable, imagePresent } from '../../harness/stack/docker-probe.ts';

export const DOCKER_REQUIRED = process.env.RUSHGATE_REQUIRE_DOCKER === '1';
export const BROKER_IMAGE = process.env.RUSHGATE_BROKER_IMAGE || LOCAL_BROKER_IMAGE;
export const SERVICE_IMAGE = process.env.RUSHGATE_SERVICE_IMAGE || LOCAL_SERVICE_IMAGE;

export async function containerTestsSkipReason(): Promise<string | undefined> {
  const docker = await dockerAvailable();
  if (!docker.ok) return docker.reason;
  for (const image of [BROKER_IMAGE, SERVICE_IMAGE]) {
    if (!(await imagePresent(image))) return `image ${image} is not built (run docker/build-local-images.sh)`;
  }
  return undefined;
}

async function engineGet<T>(path: string): Promise<T> {
  const endpoint = findDockerEndpoint();
  if (endpoint?.kind !== 'socket') throw new Error('these checks talk to Docker over its unix socket');
  const res = await engineRequest(endpoint.socketPath, 'GET', path, 10_000);
  if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status} ${res.body}`);
  return JSON.parse(res.body) as T;
}

const filters = (f: Record<string, string[]>) => encodeURIComponent(JSON.stringify(f));

/** Containers (any state) matching a Docker filter, e.g. { label: ['rushgate.owner=123'] }. */
export async function containersWhere(f: Record<string, string[]>): Promise<string[]> {
  const list = await engineGet<{ Id: string; Names: string[] }[]>(`/containers/json?all=true&filters=${filters(f)}`);
  return list.map((c) => c.Names[0] ?? c.Id);
}

/**
 * What containers matching a filter hold: their ids, the volumes mounted in them and the networks they are
 * on (Docker's own host/bridge/none left out). Other files' containers are never in it, so a check on it
 * holds while they run.
 */
export async function heldBy(f: Record<string, string[]>): Promise<{ ids: string[]; volumes: string[]; networks: string[] }> {
  type Listed = { Id: string; Mounts?: Array<{ Type: string; Name?: string }>; NetworkSettings?: { Networks?: Record<string, unknown> } };
  const list = await engineGet<Listed[]>(`/containers/json?all=true&filters=${filters(f)}`);
  const builtIn = new Set(['host', 'bridge', 'none']);
  return {
    ids: list.map((c) => c.Id).sort(),
    volumes: [...new Set(list.flatMap((c) => (c.Mounts ?? []).filter((m) => m.Type === 'volume' && m.Name).map((m) => m.Name!)))].sort(),
    networks: [...new Set(list.flatMap((c) => Object.keys(c.NetworkSettings?.Networks ?? {})).filter((n) => !builtIn.has(n)))].sort(),
  };
}

export async function networkNames(): Promise<string[]> {
  return (await engineGet<{ Name: string }[]>('/networks')).map((n) => n.Name).sort();
}

export async function volumeNames(): Promise<string[]> {
  return ((await engineGet<{ Volumes: { Name: string }[] | null }>('/volumes')).Volumes ?? []).map((v) => v.Name).sort();
}
