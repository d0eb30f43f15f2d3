import { describe, expect, test } from '@jest/globals';
import { ConfigError, EnvReader } from './index.js';
import { describeRedisConnection, readRedisConnection } from './redis-connection.js';

const read = (env: Record<string, string>) => {
  const r = new EnvReader(env);
  return r.done(readRedisConnection(r, env));
};
const problems = (env: Record<string, string>): string[] => {
  try {
    read(env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('readRedisConnection', () => {
  test('default: the single local server, no WAIT', () => {
    expect(read({})).toEqual({ mode: 'single', url: 'redis://127.0.0.1:6390', wait: { replicas: 0, timeoutMs: 1000 } });
  });

  test('sentinel: host:port list + name, WAIT 1 by default, secrets kept out of the description', () => {
    const c = read({ REDIS_SENTINELS: 's1:26379, 10.0.0.2:26380,[::1]:26381', REDIS_SENTINEL_NAME: 'flk', REDIS_PASSWORD: 'pw', REDIS_SENTINEL_PASSWORD: 'spw', REDIS_TLS: 'true' });
    expect(c).toEqual({
      mode: 'sentinel',
      sentinels: [{ host: 's1', port: 26379 }, { host: '10.0.0.2', port: 26380 }, { host: '::1', port: 26381 }],
      name: 'flk',
      password: 'pw',
      sentinelPassword: 'spw',
      tls: true,
      db: 0,
      wait: { replicas: 1, timeoutMs: 1000 },
    });
    expect(JSON.stringify(describeRedisConnection(c))).not.toMatch(/pw/);
  });

  test('REDIS_WAIT_REPLICAS=0 turns WAIT off; an explicit count and timeout are taken', () => {
    expect(read({ REDIS_SENTINELS: 'a:1', REDIS_SENTINEL_NAME: 'm', REDIS_WAIT_REPLICAS: '0' }).wait).toEqual({ replicas: 0, timeoutMs: 1000 });
    expect(read({ REDIS_WAIT_REPLICAS: '2', REDIS_WAIT_TIMEOUT_MS: '250' }).wait).toEqual({ replicas: 2, timeoutMs: 250 });
  });

  test('each bad variable is named', () => {
    expect(problems({ REDIS_SENTINELS: 'a:1' })).toEqual(['REDIS_SENTINEL_NAME: required']);
    expect(problems({ REDIS_SENTINEL_NAME: 'm' })[0]).toMatch(/^REDIS_SENTINEL_NAME is set but REDIS_SENTINELS is not/);
    expect(problems({ REDIS_SENTINELS: 'a:1', REDIS_SENTINEL_NAME: 'm', REDIS_URL: 'redis://x:1' })[0]).toMatch(/^REDIS_URL and REDIS_SENTINELS are both set/);
    expect(problems({ REDIS_SENTINELS: 'nohost,b:99999', REDIS_SENTINEL_NAME: 'm' })).toEqual([
      'REDIS_SENTINELS: expected host:port[,host:port...], got "nohost"',
      'REDIS_SENTINELS: expected host:port[,host:port...], got "b:99999"',
    ]);
    expect(problems({ REDIS_URL: 'http://x:1' })[0]).toMatch(/^REDIS_URL: expected redis:\/\/ or rediss:\/\//);
    expect(problems({ REDIS_WAIT_REPLICAS: '-1' })[0]).toMatch(/^REDIS_WAIT_REPLICAS: expected an integer/);
  });
});
