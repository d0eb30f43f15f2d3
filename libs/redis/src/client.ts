// The Redis connection: an ioredis client tuned to fail fast (no offline queue, short timeouts,
// endless background reconnects), so a Redis outage surfaces as a retriable error at the call
// site instead of a request that hangs while Kafka's session times out.
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '@flk/pcs';
import { silentLogger } from '@flk/pcs';
import { RedisInvalidArgumentError, RedisUnavailableError, RedisVersionError, toRedisError } from './errors.js';

/**
 * The commands this lib sends, declared structurally (an ioredis `Redis` fits) so tests can pass
 * a fake and nothing else of ioredis leaks into the port.
 */
export interface RedisCommands {
  call(command: string, args: (string | number)[]): Promise<unknown>;
  /** call with binary-safe arguments and bulk replies as Buffers (the stored verdict form is binary). */
  callBuffer(command: string, args: (string | number | Buffer)[]): Promise<unknown>;
  pipeline(): RedisPipeline;
}
export interface RedisPipeline {
  call(command: string, args: (string | number)[]): unknown;
  callBuffer(command: string, args: (string | number | Buffer)[]): unknown;
  exec(): Promise<Array<[Error | null, unknown]> | null>;
}

/** A primary found through Redis Sentinel (ioredis' sentinel mode): docs/redis-ha.md. */
export interface RedisSentinelOptions {
  sentinels: ReadonlyArray<{ host: string; port: number }>;
  /** The master group name the sentinels monitor. */
  name: string;
  username?: string;
  password?: string;
  sentinelPassword?: string;
  tls?: boolean;
  db?: number;
}

export interface RedisClientOptions {
  /** redis://[user:pass@]host:port[/db] or rediss:// for TLS; exactly one of url and sentinel. */
  url?: string;
  sentinel?: RedisSentinelOptions;
  /** CLIENT SETNAME, visible in CLIENT LIST (e.g. flk-verifier). */
  connectionName?: string;
  connectTimeoutMs?: number;
  /** A command without a reply after this long fails (retriable); default 2000. */
  commandTimeoutMs?: number;
  /** Upper bound of the delay between reconnect attempts; default 2000. */
  maxReconnectDelayMs?: number;
  logger?: Logger;
}

export interface RedisConnection extends RedisCommands {
  /** PING; resolves when Redis answers, throws a typed error otherwise. */
  ping(): Promise<void>;
  /** `redis_version` from INFO server. */
  serverVersion(): Promise<string>;
  /** QUIT, falling back to a hard disconnect. */
  close(): Promise<void>;
}

/** Redis 7.0 added GET to SET ... NX (one atomic claim that also returns the stored value). */
export const MIN_REDIS_VERSION = '7.0.0';

export function createRedisClient(opts: RedisClientOptions): RedisConnection {
  const { common, retryStrategy } = ioredisOptions(opts);
  return wrapIoredis(createIoredis(opts, common), opts, retryStrategy);
}

type CommonOptions = RedisOptions & { retryStrategy: (attempt: number) => number };

function ioredisOptions(opts: RedisClientOptions): { common: CommonOptions; retryStrategy: (attempt: number) => number } {
  const maxDelay = opts.maxReconnectDelayMs ?? 2000;
  const retryStrategy = (attempt: number): number => Math.min(50 * 2 ** Math.min(attempt, 10), maxDelay);
  const common: CommonOptions = {
    connectionName: opts.connectionName,
    connectTimeout: opts.connectTimeoutMs ?? 2000,
    commandTimeout: opts.commandTimeoutMs ?? 2000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // Keep reconnecting forever in the background; callers see fast failures meanwhile.
    retryStrategy,
    lazyConnect: false,
    // A primary demoted by a failover answers writes with READONLY: reconnect (with Sentinel, to
    // the primary the sentinels name now); the failed command itself is a retriable error.
    reconnectOnError: (err: Error) => err.message.startsWith('READONLY'),
  };
  return { common, retryStrategy };
}

/**
 * The connection over an ioredis client. Exported for the test that ends a real client under it;
 * everything else uses createRedisClient.
 */
export function wrapIoredis(client: Redis, opts: RedisClientOptions, retryStrategy: (attempt: number) => number = ioredisOptions(opts).retryStrategy): RedisConnection {
  const logger = opts.logger ?? silentLogger;
  // Without a listener ioredis prints every connection error to the console. Log state changes
  // once, not every reconnect attempt.
  let healthy: boolean | undefined;
  client.on('ready', () => {
    if (healthy !== true) logger.info({ component: 'redis' }, 'redis connected');
    healthy = true;
    endedRestarts = 0;
  });
  client.on('error', (err: Error) => {
    if (healthy !== false) logger.warn({ component: 'redis', err: err.message }, 'redis unavailable');
    healthy = false;
  });
  // ioredis stops reconnecting for good ('end') when its connector's connect fails, not only on
  // disconnect(): with Sentinel, a failover detector that disconnects the connector while it is
  // resolving the primary makes that connect throw "Connection is closed". The CI cluster drill's
  // own client was found ended after the Sentinel failover it caused. Only close() ends a
  // connection here: anything else is reconnected, with the same backoff as a lost socket.
  let closing = false;
  let endedRestarts = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  client.on('end', () => {
    if (closing) return;
    if (healthy !== false) logger.warn({ component: 'redis' }, 'redis client ended; reconnecting');
    healthy = false;
    clearTimeout(restartTimer);
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      if (!closing && client.status === 'end') client.connect().catch(() => {}); // failures arrive as 'error' and another 'end'
    }, retryStrategy(++endedRestarts));
    restartTimer.unref?.();
  });

  // Without an offline queue a command sent while (re)connecting fails at once; wait for the
  // connection a little (one connect timeout) first, so start-up and short blips are not errors.
  const readyWaitMs = opts.connectTimeoutMs ?? 2000;
  const waitReady = async (): Promise<void> => {
    if (closing) throw new RedisUnavailableError('redis: connection closed');
    if (client.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        client.off('ready', onReady);
        reject(new RedisUnavailableError(`redis: not connected after ${readyWaitMs} ms`));
      }, readyWaitMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      client.once('ready', onReady);
      timer.unref?.();
    });
  };

  const call = async (command: string, args: (string | number)[]): Promise<unknown> => {
    try {
      await waitReady();
      return await client.call(command, args);
    } catch (err) {
      throw toRedisError(err, command);
    }
  };

  const callBuffer = async (command: string, args: (string | number | Buffer)[]): Promise<unknown> => {
    try {
      await waitReady();
      return await client.callBuffer(command, args);
    } catch (err) {
      throw toRedisError(err, command);
    }
  };

  const pipeline = (): RedisPipeline => {
    const queued: Array<[string, (string | number | Buffer)[], boolean]> = [];
    return {
      call(command, args) {
        queued.push([command, args, false]);
        return this;
      },
      callBuffer(command, args) {
        queued.push([command, args, true]);
        return this;
      },
      async exec() {
        try {
          await waitReady();
          const p = client.pipeline();
          for (const [c, a, binary] of queued) {
            if (binary) p.callBuffer(c, a);
            else p.call(c, a);
          }
          return await p.exec();
        } catch (err) {
          throw toRedisError(err, 'pipeline');
        }
      },
    };
  };

  return {
    call,
    callBuffer,
    pipeline,
    async ping() {
      await call('PING', []);
    },
    async serverVersion() {
      return parseServerVersion(String(await call('INFO', ['server'])));
    },
    async close() {
      closing = true;
      clearTimeout(restartTimer);
      if (client.status === 'ready') {
        try {
          await client.quit();
          // With Sentinel, quit leaves the failover detector's sentinel connections open.
          client.disconnect();
          return;
        } catch {
          // fall through to a hard disconnect
        }
      }
      client.disconnect(); // also cancels a pending reconnect
    },
  };
}

/** The url or sentinel options of a connection config (@flk/config's RedisConnectionConfig fits). */
export type RedisTarget = { mode: 'single'; url: string } | ({ mode: 'sentinel' } & RedisSentinelOptions);
export function redisTargetOptions(t: RedisTarget): Pick<RedisClientOptions, 'url' | 'sentinel'> {
  if (t.mode === 'single') return { url: t.url };
  const { sentinels, name, username, password, sentinelPassword, tls, db } = t;
  return { sentinel: { sentinels, name, username, password, sentinelPassword, tls, db } };
}

function createIoredis(opts: RedisClientOptions, common: CommonOptions): Redis {
  if ((opts.url === undefined) === (opts.sentinel === undefined)) {
    throw new RedisInvalidArgumentError('redis client: give exactly one of url and sentinel');
  }
  if (opts.url !== undefined) return new Redis(opts.url, common);
  const s = opts.sentinel!;
  if (s.sentinels.length === 0 || s.name === '') throw new RedisInvalidArgumentError('redis client: sentinel needs at least one sentinel and a name');
  return new Redis({
    ...common,
    sentinels: s.sentinels.map(({ host, port }) => ({ host, port })),
    name: s.name,
    username: s.username,
    password: s.password,
    sentinelPassword: s.sentinelPassword,
    db: s.db ?? 0,
    ...(s.tls && { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true }),
    // Sentinels publish +switch-master: reconnect to the new primary at once rather than after
    // the old one's socket times out.
    failoverDetector: true,
    sentinelRetryStrategy: common.retryStrategy,
    sentinelMaxConnections: 3,
  });
}

/** `redis_version` from the text of INFO server ('' when absent). */
export function parseServerVersion(info: string): string {
  const m = /^redis_version:([^\r\n]+)/m.exec(info);
  return m?.[1]?.trim() ?? '';
}

/** Numeric comparison of dotted versions: -1, 0 or 1. Missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((s) => Number.parseInt(s, 10) || 0);
  const pb = b.split('.').map((s) => Number.parseInt(s, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Throws RedisVersionError (not retriable) when the server cannot do SET ... NX GET. */
export function assertSupportedVersion(version: string): void {
  if (version === '' || compareVersions(version, MIN_REDIS_VERSION) < 0) {
    throw new RedisVersionError(version || 'unknown', MIN_REDIS_VERSION);
  }
}
