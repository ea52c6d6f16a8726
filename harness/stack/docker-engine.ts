// A few calls to the Docker Engine API over its unix socket, for deciding `--stack auto` and for checking
// images, without loading testcontainers (which takes seconds to import) on machines that will not use it.
// Endpoints other than a unix socket (tcp+TLS, ssh, npipe) are left to testcontainers' own client.
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface EngineAnswer {
  status: number;
  body: string;
}

/** Where the engine listens: a unix socket we can talk to, or an endpoint only testcontainers can use. */
export type DockerEndpoint = { kind: 'socket'; socketPath: string } | { kind: 'other'; dockerHost: string };

/** The same places testcontainers looks, in the same order; undefined when there is no sign of Docker. */
export function findDockerEndpoint(env: NodeJS.ProcessEnv = process.env): DockerEndpoint | undefined {
  const dockerHost = env.DOCKER_HOST?.trim();
  if (dockerHost) {
    return dockerHost.startsWith('unix://') ? { kind: 'socket', socketPath: dockerHost.slice('unix://'.length) } : { kind: 'other', dockerHost };
  }
  const uid = userInfo().uid;
  const candidates = [
    '/var/run/docker.sock',
    env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, '.docker', 'run', 'docker.sock') : '',
    join(homedir(), '.docker', 'run', 'docker.sock'),
    join(homedir(), '.docker', 'desktop', 'docker.sock'),
    `/run/user/${uid}/docker.sock`,
  ];
  const socketPath = candidates.find((p) => p && existsSync(p));
  return socketPath ? { kind: 'socket', socketPath } : undefined;
}

/** One Engine API call; rejects on transport errors and on timeout, resolves with any HTTP status. */
export function engineRequest(socketPath: string, method: string, path: string, timeoutMs: number): Promise<EngineAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers: { host: 'docker' }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from the Docker engine within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** `name[:tag]` (or `@digest`) split the way the Engine API's /images/create wants it. */
export function splitImageName(image: string): { repo: string; tag: string } {
  const at = image.indexOf('@');
  if (at >= 0) return { repo: image.slice(0, at), tag: image.slice(at + 1) };
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > slash ? { repo: image.slice(0, colon), tag: image.slice(colon + 1) } : { repo: image, tag: 'latest' };
}

/** The first error line of a /images/create progress stream (it answers 200 and reports failures inline). */
export function pullStreamError(body: string): string | undefined {
  for (const line of body.split('\n')) {
    if (!line.trim()) continue;
    try {
      const event = JSON.parse(line) as { error?: string; message?: string };
      if (event.error) return event.error;
    } catch {
      // A partial line at the end of a timed-out stream; nothing to learn from it.
    }
  }
  return undefined;
}
