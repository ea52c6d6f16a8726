import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../harness/paths.ts';
import { brokerImage, DEFAULT_BROKER_IMAGE, LOCAL_SERVICE_IMAGE, parseEnvFile, serviceImage, targetImage } from '../../harness/stack/container-images.ts';
import { findDockerEndpoint, pullStreamError, splitImageName } from '../../harness/stack/docker-engine.ts';

describe('image names', () => {
  it('come from docker/images.env, which the build script sources too', () => {
    const env = parseEnvFile(readFileSync(join(REPO_ROOT, 'docker', 'images.env'), 'utf8'));
    expect(DEFAULT_BROKER_IMAGE).toBe(env.RUSHGATE_DEFAULT_BROKER_IMAGE);
    expect(DEFAULT_BROKER_IMAGE).toBe('rabbitmq:3.13-management');
    const script = readFileSync(join(REPO_ROOT, 'docker', 'build-local-images.sh'), 'utf8');
    expect(script).toContain('. docker/images.env');
  });

  it('are chosen flag first, then environment, then default', () => {
    expect(brokerImage('a:1', { RUSHGATE_BROKER_IMAGE: 'b:2' })).toBe('a:1');
    expect(brokerImage(undefined, { RUSHGATE_BROKER_IMAGE: 'b:2' })).toBe('b:2');
    expect(brokerImage(undefined, {})).toBe(DEFAULT_BROKER_IMAGE);
    expect(targetImage(undefined, {})).toBeUndefined();
    expect(targetImage(undefined, { RUSHGATE_TARGET_IMAGE: 'mine:3' })).toBe('mine:3');
    expect(serviceImage({})).toBe(LOCAL_SERVICE_IMAGE);
  });

  it('split into repository and tag the way /images/create wants them', () => {
    expect(splitImageName('rabbitmq:3.13-management')).toEqual({ repo: 'rabbitmq', tag: '3.13-management' });
    expect(splitImageName('rabbitmq')).toEqual({ repo: 'rabbitmq', tag: 'latest' });
    expect(splitImageName('localhost:5000/team/broker')).toEqual({ repo: 'localhost:5000/team/broker', tag: 'latest' });
    expect(splitImageName('localhost:5000/broker:v2')).toEqual({ repo: 'localhost:5000/broker', tag: 'v2' });
    expect(splitImageName('rabbitmq@sha256:abc')).toEqual({ repo: 'rabbitmq', tag: 'sha256:abc' });
  });
});

describe('Docker engine answers', () => {
  it('a pull that fails reports its error inline in a 200 stream', () => {
    const body = ['{"status":"Pulling from library/rabbitmq"}', '{"errorDetail":{"message":"no such host"},"error":"no such host"}', ''].join('\n');
    expect(pullStreamError(body)).toBe('no such host');
    expect(pullStreamError('{"status":"Downloaded newer image"}\n{"status":"Pull comp')).toBeUndefined();
  });

  it('DOCKER_HOST decides the endpoint: unix sockets are spoken to directly, others left to testcontainers', () => {
    expect(findDockerEndpoint({ DOCKER_HOST: 'unix:///tmp/d.sock' })).toEqual({ kind: 'socket', socketPath: '/tmp/d.sock' });
    expect(findDockerEndpoint({ DOCKER_HOST: 'tcp://10.0.0.5:2376' })).toEqual({ kind: 'other', dockerHost: 'tcp://10.0.0.5:2376' });
  });
});
