export { createRedisClient, redisTargetOptions, assertSupportedVersion, compareVersions, parseServerVersion, MIN_REDIS_VERSION } from './client.js';
export type { RedisTarget, RedisClientOptions, RedisSentinelOptions, RedisCommands, RedisConnection, RedisPipeline } from './client.js';
export { createRedisDedupStore } from './dedup-store.js';
export type { RedisDedupStore, RedisDedupStoreOptions } from './dedup-store.js';
export { pcsKey, PCS_KEY_NAMESPACE } from './keys.js';
export {
  FlkRedisError,
  RedisCommandError,
  RedisInvalidArgumentError,
  RedisReplicationError,
  RedisUnavailableError,
  RedisVersionError,
  REDIS_ERROR_CODES,
  toRedisError,
} from './errors.js';
export type { RedisErrorCode } from './errors.js';
