// The Redis adapter against a real Redis (the local stack; REDIS_URL from the global setup):
// the shared DedupStore conformance suite, plus what only a real server can show.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { runDedupStoreConformance } from '@flk/pcs/conformance';
import { createRedisClient, type RedisConnection } from './client.js';
import { createRedisDedupStore } from './dedup-store.js';
import { RedisUnavailableError } from './errors.js';
import { pcsKey } from './keys.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6390';
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const prefix = () => `test-${randomBytes(6).toString('hex')}:`;

const clients: RedisConnection[] = [];
const connect = (url = REDIS_URL, extra: { commandTimeoutMs?: number; maxReconnectDelayMs?: number; connectTimeoutMs?: number } = {}) => {
  const c = createRedisClient({ url, connectionName: 'flk-redis-int-test', ...extra });
  clients.push(c);
  return c;
};
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

runDedupStoreConformance('redis', () => createRedisDedupStore({ client: connect(), keyPrefix: prefix() }), {
  advance: (ms) => sleep(ms),
  timeoutMs: 15_000,
});

describe('redis dedup store (real server)', () => {
  let client: RedisConnection;
  beforeAll(() => {
    client = connect();
  });

  test('the server is Redis ≥ 7 and the check passes', async () => {
    const store = createRedisDedupStore({ client });
    const { version } = await store.checkServer();
    expect(version).toMatch(/^\d+\.\d+/);
  });

  test('claims carry the configured TTL (DEDUP_TTL default 1209600 s) under flk:pcs:<pcs_id>', async () => {
    const p = prefix();
    const store = createRedisDedupStore({ client, keyPrefix: p });
    await store.claim('ab01', 'v', 1_209_600);
    await store.claimMany([{ key: 'ab02', value: 'v' }, { key: 'ab03', value: 'v' }], 1_209_600);
    for (const id of ['ab01', 'ab02', 'ab03']) {
      const ttl = Number(await client.call('TTL', [pcsKey(id, p)]));
      expect(ttl).toBeGreaterThan(1_209_600 - 10);
      expect(ttl).toBeLessThanOrEqual(1_209_600);
    }
    // A losing claim does not refresh or change the TTL of the winner's key.
    await client.call('EXPIRE', [pcsKey('ab01', p), 100]);
    await store.claim('ab01', 'other', 1_209_600);
    expect(Number(await client.call('TTL', [pcsKey('ab01', p)]))).toBeLessThanOrEqual(100);
    expect(await client.call('GET', [pcsKey('ab01', p)])).toBe('v');
  });

  test('a 500-entry claimMany is a single round trip', async () => {
    const events: Array<{ op: string; entries: number }> = [];
    const store = createRedisDedupStore({ client, keyPrefix: prefix(), onRoundTrip: ({ op, entries }) => events.push({ op, entries }) });
    await store.checkServer();
    const entries = Array.from({ length: 500 }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
    const res = await store.claimMany(entries, 60);
    expect(res.every((r) => r.claimed)).toBe(true);
    expect(events.filter((e) => e.op === 'claimMany')).toEqual([{ op: 'claimMany', entries: 500 }]);
  });

  test('an unreachable Redis fails fast with a retriable error', async () => {
    const dead = connect('redis://127.0.0.1:1', { commandTimeoutMs: 500, connectTimeoutMs: 500, maxReconnectDelayMs: 100 });
    const store = createRedisDedupStore({ client: dead });
    const t0 = Date.now();
    await expect(store.claim('x', 'v', 60)).rejects.toBeInstanceOf(RedisUnavailableError);
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});
