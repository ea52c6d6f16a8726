import { describe, expect, it } from 'vitest';
import { exitCodeFor, UsageError } from '../../harness/errors.ts';
import { parseDuration } from '../../harness/parse-duration.ts';
import { redactText, redactUrl } from '../../harness/redact.ts';
import { assertLoopbackTarget } from '../../harness/run/target-guard.ts';

describe('parseDuration', () => {
  it.each([
    ['90', 90],
    ['90s', 90],
    ['1.5m', 90],
    ['500ms', 0.5],
    ['1h', 3600],
  ])('%s -> %d s', (text, seconds) => {
    expect(parseDuration(text, '--duration')).toBe(seconds);
  });

  it.each(['', 'soon', '-5s', '0', '10 minutes', '1d'])('refuses %j with a usage error naming the flag', (text) => {
    expect(() => parseDuration(text, '--duration')).toThrow(UsageError);
    expect(() => parseDuration(text, '--duration')).toThrow(/--duration/);
  });
});

describe('redaction', () => {
  it('removes userinfo from URLs', () => {
    expect(redactUrl('amqp://rushgate:s3cret@127.0.0.1:5672/vh')).toBe('amqp://***@127.0.0.1:5672/vh');
    expect(redactUrl('http://127.0.0.1:15672')).toBe('http://127.0.0.1:15672');
  });

  it('removes URLs with userinfo and known secrets from free text', () => {
    const text = 'connect to amqp://u:p4ssw0rd@localhost:1 failed; password p4ssw0rd rejected';
    const out = redactText(text, ['p4ssw0rd']);
    expect(out).not.toContain('p4ssw0rd');
    expect(out).toContain('amqp://***@localhost:1');
  });
});

describe('assertLoopbackTarget', () => {
  it('accepts loopback targets', () => {
    for (const url of ['http://127.0.0.1:3000', 'http://localhost:1', 'http://[::1]:80', 'amqp://u:p@127.0.0.2:5672']) {
      expect(() => assertLoopbackTarget([{ what: 'target', url }], false)).not.toThrow();
    }
  });

  it('refuses other hosts unless allowed, without echoing credentials', () => {
    const call = () => assertLoopbackTarget([{ what: 'broker', url: 'amqp://admin:hunter22@10.0.0.5:5672' }], false);
    expect(call).toThrow(UsageError);
    expect(call).toThrow(/--allow-remote-target/);
    expect(call).not.toThrow(/hunter22/);
    expect(() => assertLoopbackTarget([{ what: 'broker', url: 'amqp://10.0.0.5:5672' }], true)).not.toThrow();
  });
});

describe('exitCodeFor', () => {
  it('maps error classes to the documented exit codes', () => {
    expect(exitCodeFor(new UsageError('x'))).toBe(2);
    expect(exitCodeFor(Object.assign(new Error('x'), { name: 'ScenarioError' }))).toBe(2);
    expect(exitCodeFor(Object.assign(new Error('x'), { name: 'BrokerStartError' }))).toBe(3);
    expect(exitCodeFor(new TypeError('bug'))).toBeUndefined();
  });
});

describe('redaction of unusual passwords', () => {
  it('covers a password with an unescaped slash or colon', () => {
    expect(redactUrl('amqp://user:pa/ss:wd@127.0.0.1:5672')).toBe('amqp://***@127.0.0.1:5672');
    expect(redactText('see amqp://user:pa/ss@h:1 and http://host/path')).toBe('see amqp://***@h:1 and http://host/path');
  });
});
