import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../service/config.ts';
import { backoffDelay } from '../../service/backoff.ts';
import { redactText, redactUrl } from '../../service/redact-url.ts';

const ENV = { PORT: '8080', AMQP_URL: 'amqp://user:s3cret@127.0.0.1:5672' };

describe('service configuration', () => {
  it('takes PORT/AMQP_URL from the environment with sensible defaults', () => {
    expect(loadConfig([], ENV)).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      units: 1,
      publisher: 'shared',
      exchange: 'rushgate.items',
      queue: 'items',
      consumer: true,
      bodyLimitBytes: 1024 * 1024,
      connectTimeoutMs: 2_000,
    });
  });

  it('lets flags win over the environment', () => {
    const config = loadConfig(['--publisher', 'leaky', '--units=3'], { ...ENV, PUBLISHER: 'shared', UNITS: '2' });
    expect(config).toMatchObject({ publisher: 'leaky', units: 3 });
  });

  it('reports every problem at once and never echoes the AMQP URL', () => {
    let error: unknown;
    try {
      loadConfig(['--units', '0', '--colour'], { AMQP_URL: 'http://user:s3cret@host', PUBLISHER: 'pooled' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect((error as ConfigError).problems).toHaveLength(5);
    expect(problems).toMatch(/PORT is not set/);
    expect(problems).toMatch(/AMQP_URL must start with amqp:\/\//);
    expect(problems).toMatch(/publisher must be one of leaky, per-request, shared, got "pooled"/);
    expect(problems).toMatch(/--units must be an integer in 1\.\.64, got "0"/);
    expect(problems).toMatch(/unknown or incomplete option --colour/);
    expect(problems).not.toContain('s3cret');
  });
});

describe('credential redaction', () => {
  it('hides userinfo in URLs and inside text', () => {
    expect(redactUrl('amqp://user:s3cret@127.0.0.1:5672/vhost')).toBe('amqp://***@127.0.0.1:5672/vhost');
    expect(redactUrl('amqp://127.0.0.1:5672')).toBe('amqp://127.0.0.1:5672');
    expect(redactText('connect amqps://a:b@h:5671 failed')).toBe('connect amqps://***@h:5671 failed');
  });
});

describe('reconnect backoff', () => {
  it('grows exponentially up to the cap, with full jitter, never zero', () => {
    const opts = { baseMs: 200, capMs: 5_000 };
    expect([0, 1, 2, 3, 10].map((a) => backoffDelay(a, { ...opts, random: () => 1 }))).toEqual([200, 400, 800, 1600, 5000]);
    expect(backoffDelay(4, { ...opts, random: () => 0.5 })).toBe(1600);
    expect(backoffDelay(4, { ...opts, random: () => 0 })).toBe(100);
  });
});
