import type { Verdict } from '@flk/pcs';
import { decodeStoredVerdict } from '@flk/registry';
import { createRedisClient, pcsKey, type RedisConnection } from '@flk/redis';
import { STACK } from './names.js';

export function testRedis(): RedisConnection {
  return createRedisClient({ url: STACK.redisUrl, connectionName: 'flk-test' });
}

/** The verdict stored under a dedup key (`pcs_id` or `tenant_id/pcs_id`) and a key prefix, decoded; null when absent. */
export async function storedVerdict(redis: RedisConnection, prefix: string, dedupKey: string): Promise<Verdict | null> {
  const bytes = (await redis.callBuffer('GET', [pcsKey(dedupKey, prefix)])) as Buffer | null;
  if (bytes === null) return null;
  const v = decodeStoredVerdict(bytes, dedupKey);
  if (v === null) throw new Error(`the value under ${dedupKey} is not a stored verdict`);
  return v;
}

/** Number of dedup keys under a prefix (SCAN, not KEYS). */
export async function countDedupKeys(redis: RedisConnection, prefix: string): Promise<number> {
  let cursor = '0';
  let n = 0;
  do {
    const [next, keys] = (await redis.call('SCAN', [cursor, 'MATCH', `${prefix}flk:pcs:*`, 'COUNT', 1000])) as [string, string[]];
    cursor = next;
    n += keys.length;
  } while (cursor !== '0');
  return n;
}

/** Deletes the dedup keys under a prefix (test clean-up). */
export async function deleteDedupKeys(redis: RedisConnection, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = (await redis.call('SCAN', [cursor, 'MATCH', `${prefix}flk:pcs:*`, 'COUNT', 1000])) as [string, string[]];
    cursor = next;
    if (keys.length > 0) await redis.call('UNLINK', keys);
  } while (cursor !== '0');
}
