import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../harness/paths.ts';
import { LOCAL_NODE_IMAGE } from '../../harness/stack/container-images.ts';
import { imagePresent } from '../../harness/stack/docker-probe.ts';
import { OWNER_LABEL } from '../../harness/stack/owned-container.ts';
import { resolveStackKind, startStack } from '../../harness/stack/select-stack.ts';
import type { StartedStack } from '../../harness/stack/stack.ts';
import { waitUntil } from '../helpers/leftovers.ts';
import {
  BROKER_IMAGE,
  containersWhere,
  containerTestsSkipReason,
  DOCKER_REQUIRED,
  heldBy,
  networkNames,
  SERVICE_IMAGE,
  volumeNames,
} from './testcontainers-gate.ts';

const skipReason = await containerTestsSkipReason();
if (skipReason && DOCKER_REQUIRED) {
  describe('container tests', () => {
    it('run here, because RUSHGATE_REQUIRE_DOCKER=1 says Docker was started for them', () => {
      throw new Error(`the container tests cannot run: ${skipReason}`);
    });
  });
}

const nodeImageHere = skipReason === undefined && (await imagePresent(LOCAL_NODE_IMAGE));
const mine = { label: [`${OWNER_LABEL}=${process.pid}`] };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function metric(stack: StartedStack, name: string): Promise<number> {
  const text = await (await fetch(`${stack.prometheusUrl}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
}

/** Local addresses with a listening TCP socket on `port` (from ss, which reads the kernel's tables). */
function listenersOn(port: number): string[] {
  const out = execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => l.trim().split(/\s+/)[3] ?? '');
}

describe.skipIf(skipReason !== undefined)(`testcontainers stack (${BROKER_IMAGE} + ${SERVICE_IMAGE})${skipReason ? `: skipped, ${skipReason}` : ''}`, () => {
  let stack: StartedStack;
  beforeAll(async () => {
    stack = await startStack('testcontainers', {
      connectionMax: 50,
      amqpProxy: true,
      containers: { brokerImage: BROKER_IMAGE },
      target: { units: 2, publisher: 'shared' },
    });
  }, 240_000);
  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('runs the broker and the reference service as containers of this harness', async () => {
    expect(stack.kind).toBe('testcontainers');
    expect(stack.targetDescription).toContain(SERVICE_IMAGE);
    const running = await containersWhere({ ...mine, status: ['running'] });
    expect(running).toHaveLength(2);
    expect(await containersWhere({ ancestor: [BROKER_IMAGE], ...mine })).toHaveLength(1);
  });

  it('answers AMQP with its generated credentials, counted on the Prometheus endpoint', async () => {
    const before = await metric(stack, 'rabbitmq_connections');
    const conn = await amqp.connect(stack.amqpUrl, { noDelay: true, timeout: 5_000 });
    await sleep(200);
    expect(await metric(stack, 'rabbitmq_connections')).toBe(before + 1);
    await conn.close();
    await sleep(200);
    expect(await metric(stack, 'rabbitmq_connections')).toBe(before);
  });

  it('answers the management API with the credentials it reports, and refuses without them', async () => {
    const { username, password } = stack.managementAuth;
    const auth = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    const ok = await fetch(`${stack.managementUrl}/api/overview`, { headers: { authorization: auth } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { rabbitmq_version: string }).rabbitmq_version).toMatch(/^3\./);
    expect((await fetch(`${stack.managementUrl}/api/overview`)).status).toBe(401);
  });

  it('serves the reference service, which takes a call and publishes it through the AMQP proxy', async () => {
    expect((await fetch(`${stack.targetUrl}/healthz`)).status).toBe(200);
    const res = await fetch(`${stack.targetUrl}/api/v1/stores/s1/items/i1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-request-id': 'tc-1' },
      body: JSON.stringify({ id: 'i1', name: 'Milk 1l', price: 1.09, currency: 'EUR' }),
    });
    expect(res.status).toBeLessThan(300);
    // The shared publisher: one connection per unit plus the consumer's, however many calls arrive.
    expect(await metric(stack, 'rabbitmq_connections')).toBeGreaterThanOrEqual(2);
    // The container reaches the broker through the harness's fault proxy on the host, as in the local stack.
    expect(stack.proxy?.openConnections()).toBeGreaterThanOrEqual(2);
  });

  it('runs rabbitmqctl inside the broker container', async () => {
    const out = await stack.brokerCtl!(['list_connections', 'name']);
    expect(out.split('\n').filter((l) => l.includes('->')).length).toBeGreaterThanOrEqual(2);
  });

  it('keeps every broker listener on loopback (host networking)', () => {
    for (const url of [stack.amqpUrl, stack.managementUrl, stack.prometheusUrl, stack.targetUrl]) {
      const port = Number(new URL(url).port);
      const listeners = listenersOn(port);
      expect(listeners.length, `listeners on ${port}`).toBeGreaterThan(0);
      for (const address of listeners) expect(address).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it('restarts the broker container on the same ports, dropping connections and taking new ones after', async () => {
    const conn = await amqp.connect(stack.amqpUrl, { noDelay: true, timeout: 5_000 });
    conn.on('error', () => {});
    const closed = new Promise<void>((r) => conn.once('close', () => r()));
    await stack.restartBroker!(500);
    await closed;
    const again = await amqp.connect(stack.amqpUrl, { noDelay: true, timeout: 5_000 });
    await again.close();
  }, 180_000);

  it('stop() leaves no container, network, volume or image in use behind', async () => {
    // Only what this stack's containers hold is judged: the other container files run beside this one.
    const held = await heldBy(mine);
    expect(held.ids.length).toBeGreaterThanOrEqual(2);
    await stack.stop();
    expect(await containersWhere(mine)).toEqual([]);
    for (const image of [BROKER_IMAGE, SERVICE_IMAGE]) expect(await containersWhere({ ...mine, ancestor: [image] })).toEqual([]);
    expect((await networkNames()).filter((n) => held.networks.includes(n))).toEqual([]);
    expect((await volumeNames()).filter((v) => held.volumes.includes(v))).toEqual([]);
    await expect(fetch(`${stack.managementUrl}/api/overview`)).rejects.toThrow();
  });
});

describe.skipIf(skipReason !== undefined)('testcontainers: choosing and failing', () => {
  it('--stack auto picks containers when Docker has the broker image', async () => {
    const choice = await resolveStackKind('auto', { brokerImage: BROKER_IMAGE });
    expect(choice.kind).toBe('testcontainers');
    expect(choice.reason).toContain(BROKER_IMAGE);
  });

  it('--stack auto goes local, not down, when the image is absent and cannot be pulled', async () => {
    const choice = await resolveStackKind('auto', { brokerImage: 'rushgate-test/no-such-broker:never' });
    expect(choice.kind).toBe('local');
    expect(choice.reason).toMatch(/could not pull rushgate-test\/no-such-broker:never/);
  });

  it.skipIf(!nodeImageHere)('a target image that exits at once fails the start, and leaves nothing behind', async () => {
    // The Node base image's default command is an interactive `node`, which exits without a terminal.
    const start = Date.now();
    const failing = startStack('testcontainers', {
      containers: { brokerImage: BROKER_IMAGE, targetImage: LOCAL_NODE_IMAGE },
      target: { units: 1 },
    });
    await expect(failing).rejects.toThrow(`target image ${LOCAL_NODE_IMAGE} never became ready: the container exited`);
    expect(Date.now() - start).toBeLessThan(150_000);
    expect(await containersWhere(mine)).toEqual([]);
  }, 200_000);

  it('SIGINT to the harness removes its containers', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test/stack/testcontainers-hold-stack.ts')], {
      cwd: REPO_ROOT,
      env: { ...process.env, RUSHGATE_BROKER_IMAGE: BROKER_IMAGE },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const childs = { label: [`${OWNER_LABEL}=${child.pid}`] };
    expect(await waitUntil(() => output.includes('READY'), 200_000, 200), output).toBe(true);
    expect(await containersWhere(childs)).toHaveLength(2);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(await containersWhere(childs)).toEqual([]);
  }, 240_000);
});

const composeCli = ['docker-compose', 'docker'].find((cli) => {
  try {
    execFileSync(cli, cli === 'docker' ? ['compose', 'version'] : ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});

describe.skipIf(composeCli === undefined && !DOCKER_REQUIRED)('docker-compose.yml', () => {
  it('is accepted by `docker compose config`, with every port on loopback', () => {
    if (!composeCli) throw new Error('no docker-compose here, although RUSHGATE_REQUIRE_DOCKER=1 (scripts/ci-docker.sh installs it)');
    const args = composeCli === 'docker' ? ['compose', 'config'] : ['config'];
    const out = execFileSync(composeCli, [...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, PUBLISHER: 'leaky' } });
    expect(out).toMatch(/PUBLISHER: leaky/);
    // Ports as written (config's output format differs between compose v1 and v2).
    const source = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
    const ports = [...source.matchAll(/^\s*- ([^\s#]+:\d+)\s*(?:#.*)?$/gm)].map((m) => m[1]!).filter((p) => !p.startsWith('./'));
    expect(ports).toHaveLength(4);
    for (const port of ports) expect(port).toMatch(/^127\.0\.0\.1:/);
  });
});
