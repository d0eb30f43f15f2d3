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
    await store.claim('ab01', Buffer.from('v'), 1_209_600);
    await store.claimMany([{ key: 'ab02', value: Buffer.from('v') }, { key: 'ab03', value: Buffer.from('v') }], 1_209_600);
    for (const id of ['ab01', 'ab02', 'ab03']) {
      const ttl = Number(await client.call('TTL', [pcsKey(id, p)]));
      expect(ttl).toBeGreaterThan(1_209_600 - 10);
      expect(ttl).toBeLessThanOrEqual(1_209_600);
    }
    // A losing claim does not refresh or change the TTL of the winner's key.
    await client.call('EXPIRE', [pcsKey('ab01', p), 100]);
    await store.claim('ab01', Buffer.from('other'), 1_209_600);
    expect(Number(await client.call('TTL', [pcsKey('ab01', p)]))).toBeLessThanOrEqual(100);
    expect(await client.call('GET', [pcsKey('ab01', p)])).toBe('v'); // the winner's value, unchanged
  });

  test('a 500-entry claimMany is a single round trip (counted by Redis: its socket reads and reply writes)', async () => {
    const store = createRedisDedupStore({ client, keyPrefix: prefix() });
    await store.checkServer();
    const entries = Array.from({ length: 500 }, (_, i) => ({ key: `k${i}`, value: Buffer.from(`v${i}`) }));
    // Redis counts a read event per socket read (up to 16 KiB each) and a write event per reply
    // flush: a pipeline is read in a few reads and answered in as many writes; a round trip per
    // entry would be 500 of each. The INFO calls themselves add one read and one write each.
    const stats = async () => {
      const info = String(await client.call('INFO', ['stats']));
      const num = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)![1]);
      return { reads: num('total_reads_processed'), writes: num('total_writes_processed'), commands: num('total_commands_processed') };
    };
    const before = await stats();
    const res = await store.claimMany(entries, 60);
    const after = await stats();
    expect(res.every((r) => r.claimed)).toBe(true);
    const bytes = entries.reduce((n, e) => n + e.key.length + e.value.length + 60, 0);
    const bound = Math.ceil(bytes / 16_384) + 2;
    expect(after.commands - before.commands).toBe(501); // 500 SETs + the second INFO: all of them reached Redis
    expect(after.reads - before.reads).toBeLessThanOrEqual(bound);
    expect(after.writes - before.writes).toBeLessThanOrEqual(bound);
  });

  test('an unreachable Redis fails fast with a retriable error', async () => {
    const dead = connect('redis://127.0.0.1:1', { commandTimeoutMs: 500, connectTimeoutMs: 500, maxReconnectDelayMs: 100 });
    const store = createRedisDedupStore({ client: dead });
    const t0 = Date.now();
    await expect(store.claim('x', Buffer.from('v'), 60)).rejects.toBeInstanceOf(RedisUnavailableError);
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});
