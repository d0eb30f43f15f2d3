// DedupStore (@flk/pcs port) on Redis: one atomic `SET key value EX ttl NX GET` per claim (first
// writer wins; a loser gets the winner's value in the same reply), claimMany pipelined in one round
// trip. Needs Redis ≥ 7.0, checked once before the first command.
import type { ClaimResult, DedupStore } from '@flk/pcs';
import type { RedisCommands } from './client.js';
import { assertSupportedVersion, parseServerVersion } from './client.js';
import { FlkRedisError, RedisCommandError, RedisInvalidArgumentError, RedisReplicationError, RedisUnavailableError, toRedisError } from './errors.js';
import { pcsKey } from './keys.js';

export interface RedisDedupStoreOptions {
  client: RedisCommands;
  /** Prepended to every key (isolates tests or tenants sharing one Redis). Default ''. */
  keyPrefix?: string;
  /**
   * After each claim batch, in the same pipeline (one round trip): `WAIT replicas timeoutMs`; fewer
   * acks is a RedisReplicationError (retriable). replicas 0 or undefined = no WAIT.
   */
  wait?: { replicas: number; timeoutMs: number };
  /** Typed event for the app's metrics: one Redis round trip and how long it took. */
  onRoundTrip?: (event: { op: 'claim' | 'claimMany' | 'get' | 'version'; entries: number; seconds: number; ok: boolean }) => void;
}

export interface RedisDedupStore extends DedupStore {
  /** Checks the server version now (otherwise done before the first command). Memoised once it succeeds. */
  checkServer(): Promise<{ version: string }>;
}

function checkEntry(key: unknown, value: unknown): void {
  if (typeof key !== 'string' || key.length === 0) throw new RedisInvalidArgumentError('claim: key must be a non-empty string');
  if (!Buffer.isBuffer(value)) throw new RedisInvalidArgumentError('claim: value must be a Buffer');
}

function checkTtl(ttlSeconds: unknown): asserts ttlSeconds is number {
  if (typeof ttlSeconds !== 'number' || !Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0) {
    throw new RedisInvalidArgumentError('claim: ttlSeconds must be a positive integer');
  }
}

function toClaim(reply: unknown): ClaimResult {
  if (reply === null) return { claimed: true };
  if (Buffer.isBuffer(reply)) return { claimed: false, existing: reply };
  throw new RedisCommandError('redis: SET NX GET returned an unexpected reply');
}

export function createRedisDedupStore(opts: RedisDedupStoreOptions): RedisDedupStore {
  const { client } = opts;
  const prefix = opts.keyPrefix ?? '';
  const emit = opts.onRoundTrip ?? (() => {});
  let checked: Promise<{ version: string }> | undefined;
  const wait = opts.wait !== undefined && opts.wait.replicas > 0 ? opts.wait : undefined;
  if (wait !== undefined && (!Number.isSafeInteger(wait.replicas) || !Number.isSafeInteger(wait.timeoutMs) || wait.timeoutMs <= 0)) {
    throw new RedisInvalidArgumentError('wait: replicas and timeoutMs must be positive integers');
  }

  async function timed<T>(op: 'claim' | 'claimMany' | 'get' | 'version', entries: number, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    let ok = false;
    try {
      const out = await fn();
      ok = true;
      return out;
    } catch (err) {
      throw toRedisError(err, op);
    } finally {
      emit({ op, entries, seconds: (performance.now() - t0) / 1000, ok });
    }
  }

  function checkServer(): Promise<{ version: string }> {
    checked ??= timed('version', 0, () => client.call('INFO', ['server'])).then(
      (info) => {
        const version = parseServerVersion(typeof info === 'string' ? info : String(info));
        assertSupportedVersion(version);
        return { version };
      },
      (err: unknown) => {
        checked = undefined; // unreachable now: check again next time
        throw err;
      },
    );
    return checked;
  }

  const setArgs = (key: string, value: Buffer, ttl: number): (string | number | Buffer)[] => [pcsKey(key, prefix), value, 'EX', ttl, 'NX', 'GET'];

  async function claimBatch(op: 'claim' | 'claimMany', entries: ReadonlyArray<{ key: string; value: Buffer }>, ttlSeconds: number): Promise<ClaimResult[]> {
    const expected = entries.length + (wait !== undefined ? 1 : 0);
    const replies = await timed(op, entries.length, async () => {
      const pipe = client.pipeline();
      for (const e of entries) pipe.callBuffer('SET', setArgs(e.key, e.value, ttlSeconds));
      // WAIT blocks this connection until its earlier writes reached `replicas` replicas (or the
      // timeout): in the same pipeline, so a batch stays one round trip.
      if (wait !== undefined) pipe.call('WAIT', [wait.replicas, wait.timeoutMs]);
      const res = await pipe.exec();
      if (res === null || res.length !== expected) throw new RedisUnavailableError('redis: pipeline returned no or partial replies');
      return res;
    });
    // Any failed command fails the whole call: the caller retries the batch, and claims that did
    // succeed come back as "already claimed by me" (same value) on the retry.
    const failed = replies.find(([err]) => err !== null);
    if (failed) {
      const err = toRedisError(failed[0], 'SET');
      throw err instanceof FlkRedisError ? err : new RedisCommandError('redis: SET failed');
    }
    if (wait !== undefined) {
      const acked = Number(replies[entries.length]![1]);
      if (!(acked >= wait.replicas)) throw new RedisReplicationError(Number.isFinite(acked) ? acked : 0, wait.replicas, wait.timeoutMs);
    }
    return replies.slice(0, entries.length).map(([, reply]) => toClaim(reply));
  }

  return {
    checkServer,

    async claim(key, value, ttlSeconds) {
      checkEntry(key, value);
      checkTtl(ttlSeconds);
      await checkServer();
      if (wait !== undefined) return (await claimBatch('claim', [{ key, value }], ttlSeconds))[0]!;
      return toClaim(await timed('claim', 1, () => client.callBuffer('SET', setArgs(key, value, ttlSeconds))));
    },

    async claimMany(entries, ttlSeconds) {
      checkTtl(ttlSeconds);
      for (const e of entries) checkEntry(e?.key, e?.value);
      if (entries.length === 0) return [];
      await checkServer();
      return claimBatch('claimMany', entries, ttlSeconds);
    },

    async get(key) {
      if (typeof key !== 'string' || key.length === 0) throw new RedisInvalidArgumentError('get: key must be a non-empty string');
      await checkServer();
      const reply = await timed('get', 1, () => client.callBuffer('GET', [pcsKey(key, prefix)]));
      if (reply === null) return null;
      if (Buffer.isBuffer(reply)) return reply;
      throw new RedisCommandError('redis: GET returned an unexpected reply');
    },
  };
}
