// How an app reaches Redis: one server (REDIS_URL) or a Sentinel-managed primary with replicas
// (REDIS_SENTINELS + REDIS_SENTINEL_NAME), and how many replicas must hold a claim before a verdict
// is committed (REDIS_WAIT_REPLICAS, REDIS_WAIT_TIMEOUT_MS). Read once at start-up; every bad
// variable is named. docs/redis-ha.md explains the choices.
import type { EnvReader } from './index.js';

export type RedisConnectionConfig =
  | { readonly mode: 'single'; readonly url: string; readonly wait: RedisWaitConfig }
  | {
      readonly mode: 'sentinel';
      readonly sentinels: ReadonlyArray<{ readonly host: string; readonly port: number }>;
      /** The master group name the sentinels monitor (`sentinel monitor <name> ...`). */
      readonly name: string;
      readonly username?: string;
      readonly password?: string;
      /** Sentinels may have their own password (`requirepass` in sentinel.conf). */
      readonly sentinelPassword?: string;
      /** TLS to the data nodes and the sentinels. */
      readonly tls: boolean;
      readonly db: number;
      readonly wait: RedisWaitConfig;
    };

/** WAIT numreplicas timeout after each claim batch; replicas 0 = no WAIT. */
export interface RedisWaitConfig {
  readonly replicas: number;
  readonly timeoutMs: number;
}

export const REDIS_ENV = {
  URL: 'REDIS_URL',
  SENTINELS: 'REDIS_SENTINELS',
  SENTINEL_NAME: 'REDIS_SENTINEL_NAME',
  USERNAME: 'REDIS_USERNAME',
  PASSWORD: 'REDIS_PASSWORD',
  SENTINEL_PASSWORD: 'REDIS_SENTINEL_PASSWORD',
  TLS: 'REDIS_TLS',
  DB: 'REDIS_DB',
  WAIT_REPLICAS: 'REDIS_WAIT_REPLICAS',
  WAIT_TIMEOUT_MS: 'REDIS_WAIT_TIMEOUT_MS',
} as const;

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6390';

const HOST_PORT = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

export function readRedisConnection(r: EnvReader, env: Readonly<Record<string, string | undefined>>): RedisConnectionConfig {
  const has = (name: string) => (env[name]?.trim() ?? '') !== '';
  const sentinelList = r.list(REDIS_ENV.SENTINELS);
  // WAIT: a verdict is committed only after its claim reached this many replicas. Default: 1 with
  // Sentinel (replicas exist by construction), 0 for a single server (WAIT would always time out).
  const waitReplicas = r.int(REDIS_ENV.WAIT_REPLICAS, sentinelList.length > 0 ? 1 : 0, { min: 0, max: 16 });
  const wait = { replicas: waitReplicas, timeoutMs: r.int(REDIS_ENV.WAIT_TIMEOUT_MS, 1000, { min: 1, max: 60_000 }) };

  if (sentinelList.length === 0) {
    if (has(REDIS_ENV.SENTINEL_NAME)) r.problem(`${REDIS_ENV.SENTINEL_NAME} is set but ${REDIS_ENV.SENTINELS} is not: set both for Sentinel, neither for a single server`);
    const url = r.url(REDIS_ENV.URL, DEFAULT_REDIS_URL);
    if (url !== '' && !/^rediss?:\/\//.test(url)) r.problem(`${REDIS_ENV.URL}: expected redis:// or rediss://, got scheme ${JSON.stringify(url.split(':', 1)[0])}`);
    return { mode: 'single', url, wait };
  }

  if (has(REDIS_ENV.URL)) r.problem(`${REDIS_ENV.URL} and ${REDIS_ENV.SENTINELS} are both set: a Sentinel deployment finds its primary through the sentinels, so set one of them`);
  const sentinels: Array<{ host: string; port: number }> = [];
  for (const entry of sentinelList) {
    const m = HOST_PORT.exec(entry);
    const port = m ? Number(m[2]) : NaN;
    if (!m || port < 1 || port > 65535) {
      r.problem(`${REDIS_ENV.SENTINELS}: expected host:port[,host:port...], got ${JSON.stringify(entry)}`);
      continue;
    }
    sentinels.push({ host: m[1]!.replace(/^\[|\]$/g, ''), port });
  }
  const name = r.string(REDIS_ENV.SENTINEL_NAME, undefined);
  const password = r.secret(REDIS_ENV.PASSWORD);
  const sentinelPassword = r.secret(REDIS_ENV.SENTINEL_PASSWORD);
  const username = r.optionalString(REDIS_ENV.USERNAME);
  return {
    mode: 'sentinel',
    sentinels,
    name,
    ...(username !== undefined && { username }),
    ...(password !== undefined && { password }),
    ...(sentinelPassword !== undefined && { sentinelPassword }),
    tls: r.bool(REDIS_ENV.TLS, false),
    db: r.int(REDIS_ENV.DB, 0, { min: 0, max: 15 }),
    wait,
  };
}

/** What may be logged: no passwords. */
export function describeRedisConnection(c: RedisConnectionConfig): Record<string, unknown> {
  if (c.mode === 'single') {
    let url = '<invalid url>';
    try {
      const u = new URL(c.url);
      if (u.password) u.password = '***';
      if (u.username) u.username = '***';
      url = u.toString();
    } catch {
      // keep the placeholder
    }
    return { redisMode: 'single', redisUrl: url, redisWaitReplicas: c.wait.replicas, redisWaitTimeoutMs: c.wait.timeoutMs };
  }
  return {
    redisMode: 'sentinel',
    redisSentinels: c.sentinels.map((s) => `${s.host}:${s.port}`),
    redisSentinelName: c.name,
    redisTls: c.tls,
    redisWaitReplicas: c.wait.replicas,
    redisWaitTimeoutMs: c.wait.timeoutMs,
  };
}
