import { createRedisClient, pcsKey, type RedisConnection } from '@flk/redis';
import { STACK } from './names.js';

export function testRedis(): RedisConnection {
  return createRedisClient({ url: STACK.redisUrl, connectionName: 'flk-test' });
}

/** The stored verdict JSON of a pcs_id under a key prefix, or null. */
export async function storedVerdict(redis: RedisConnection, prefix: string, pcsId: string): Promise<string | null> {
  return (await redis.call('GET', [pcsKey(pcsId, prefix)])) as string | null;
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
