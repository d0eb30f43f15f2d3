import { describe, expect, test } from '@jest/globals';
import type { RedisCommands, RedisPipeline } from './client.js';
import { compareVersions, parseServerVersion } from './client.js';
import { createRedisDedupStore } from './dedup-store.js';
import { REDIS_ERROR_CODES, RedisUnavailableError, toRedisError } from './errors.js';
import { pcsKey } from './keys.js';

type Reply = unknown;
const b = (text: string): Buffer => Buffer.from(text);
/** Records every command (Buffer arguments as text); answers SET NX GET / GET / INFO from a Map like Redis would, bulk replies as Buffers. */
function fakeRedis(opts: { version?: string; fail?: Error } = {}) {
  const data = new Map<string, Buffer>();
  const sent: Array<[string, (string | number)[]]> = [];
  let roundTrips = 0;
  const exec1 = (command: string, rawArgs: (string | number | Buffer)[]): Reply => {
    const args = rawArgs.map((a) => (Buffer.isBuffer(a) ? a.toString() : a));
    sent.push([command, args]);
    if (opts.fail) throw opts.fail;
    if (command === 'INFO') return `# Server\r\nredis_version:${opts.version ?? '7.2.4'}\r\nredis_mode:standalone\r\n`;
    if (command === 'GET') return data.get(String(args[0])) ?? null;
    if (command === 'SET') {
      const [key, , ...rest] = args.map(String);
      expect(rest).toEqual(['EX', expect.stringMatching(/^\d+$/), 'NX', 'GET']);
      const existing = data.get(key!);
      if (existing !== undefined) return existing;
      data.set(key!, Buffer.from(rawArgs[1] as Buffer));
      return null;
    }
    throw new Error(`unexpected ${command}`);
  };
  const client: RedisCommands = {
    async call(command, args) {
      roundTrips++;
      return exec1(command, args);
    },
    async callBuffer(command, args) {
      roundTrips++;
      return exec1(command, args);
    },
    pipeline(): RedisPipeline {
      const queued: Array<[string, (string | number | Buffer)[]]> = [];
      return {
        call(command, args) {
          queued.push([command, args]);
          return this;
        },
        callBuffer(command, args) {
          queued.push([command, args]);
          return this;
        },
        async exec() {
          roundTrips++;
          if (opts.fail) throw opts.fail;
          return queued.map(([c, a]) => [null, exec1(c, a)] as [Error | null, unknown]);
        },
      };
    },
  };
  return { client, data, sent, roundTrips: () => roundTrips };
}

describe('redis dedup store (fake client)', () => {
  test('claim sends one SET key value EX ttl NX GET under flk:pcs:<id> with the prefix', async () => {
    const r = fakeRedis();
    const store = createRedisDedupStore({ client: r.client, keyPrefix: 't1:' });
    expect(await store.claim('abc', b('v1'), 60)).toEqual({ claimed: true });
    expect(await store.claim('abc', b('v2'), 60)).toEqual({ claimed: false, existing: b('v1') });
    const sets = r.sent.filter(([c]) => c === 'SET');
    expect(sets[0]).toEqual(['SET', ['t1:flk:pcs:abc', 'v1', 'EX', 60, 'NX', 'GET']]);
    expect(await store.get('abc')).toEqual(b('v1'));
    expect(await store.get('nope')).toBeNull();
  });

  test('claimMany is one round trip, in input order, and sees earlier entries of the same batch', async () => {
    const r = fakeRedis();
    const store = createRedisDedupStore({ client: r.client });
    await store.checkServer();
    const before = r.roundTrips();
    const out = await store.claimMany([{ key: 'a', value: b('1') }, { key: 'b', value: b('2') }, { key: 'a', value: b('3') }], 10);
    expect(r.roundTrips() - before).toBe(1);
    expect(out).toEqual([{ claimed: true }, { claimed: true }, { claimed: false, existing: b('1') }]);
    expect(await store.claimMany([], 10)).toEqual([]);
  });

  test('the server version is checked once, and an old server is a non-retriable typed error', async () => {
    const r = fakeRedis({ version: '6.2.14' });
    const store = createRedisDedupStore({ client: r.client });
    await expect(store.claim('a', b('v'), 10)).rejects.toMatchObject({ code: REDIS_ERROR_CODES.VERSION_UNSUPPORTED, retriable: false });
    expect(r.sent.some(([c]) => c === 'SET')).toBe(false);
    const ok = fakeRedis({ version: '7.0.0' });
    const s2 = createRedisDedupStore({ client: ok.client });
    await s2.claim('a', b('v'), 10);
    await s2.claim('b', b('v'), 10);
    expect(ok.sent.filter(([c]) => c === 'INFO')).toHaveLength(1);
  });

  test('bad arguments are programmer errors, raised before any command', async () => {
    const r = fakeRedis();
    const store = createRedisDedupStore({ client: r.client });
    for (const ttl of [0, -1, 1.5, Number.NaN]) {
      await expect(store.claim('a', b('v'), ttl)).rejects.toMatchObject({ code: REDIS_ERROR_CODES.INVALID_ARGUMENT, retriable: false });
    }
    await expect(store.claim('', b('v'), 1)).rejects.toMatchObject({ code: REDIS_ERROR_CODES.INVALID_ARGUMENT });
    await expect(store.claimMany([{ key: 'a', value: b('v') }, { key: '', value: b('v') }], 1)).rejects.toMatchObject({ retriable: false });
    expect(r.sent).toHaveLength(0);
  });

  test('an unreachable Redis is a retriable RedisUnavailableError, and the version is checked again later', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6390'), { code: 'ECONNREFUSED' });
    const r = fakeRedis({ fail: refused });
    const store = createRedisDedupStore({ client: r.client });
    await expect(store.claimMany([{ key: 'a', value: b('v') }], 10)).rejects.toBeInstanceOf(RedisUnavailableError);
    await expect(store.claim('a', b('v'), 10)).rejects.toMatchObject({ retriable: true, code: REDIS_ERROR_CODES.UNAVAILABLE });
    expect(r.sent.filter(([c]) => c === 'INFO')).toHaveLength(2);
  });

  test('round trips are reported for metrics', async () => {
    const r = fakeRedis();
    const events: Array<{ op: string; entries: number; ok: boolean }> = [];
    const store = createRedisDedupStore({ client: r.client, onRoundTrip: ({ op, entries, ok }) => events.push({ op, entries, ok }) });
    await store.claimMany([{ key: 'a', value: b('1') }, { key: 'b', value: b('2') }], 5);
    expect(events).toEqual([{ op: 'version', entries: 0, ok: true }, { op: 'claimMany', entries: 2, ok: true }]);
  });
});

describe('redis helpers', () => {
  test('error mapping: transient replies and socket errors are retriable, the rest are not', () => {
    expect(toRedisError(new Error('LOADING Redis is loading the dataset in memory'), 'SET').retriable).toBe(true);
    expect(toRedisError(new Error('READONLY You can\'t write against a read only replica.'), 'SET').retriable).toBe(true);
    expect(toRedisError(new Error("Stream isn't writeable and enableOfflineQueue options is false"), 'SET').retriable).toBe(true);
    expect(toRedisError(new Error('Command timed out'), 'SET').retriable).toBe(true);
    // Found by the cluster drill: a verifier stopped on this during a Sentinel failover.
    expect(toRedisError(Object.assign(new Error('Command aborted due to connection close'), { name: 'AbortError' }), 'SET').retriable).toBe(true);
    const wrongType = toRedisError(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'), 'SET');
    expect(wrongType).toMatchObject({ retriable: false, code: REDIS_ERROR_CODES.COMMAND_FAILED });
    // The message names the command, never the arguments ioredis attaches to its ReplyError.
    const withArgs = Object.assign(new Error('ERR syntax error'), { command: { name: 'set', args: ['flk:pcs:secret', '{"v":1}'] } });
    expect(toRedisError(withArgs, 'SET').message).not.toContain('secret');
  });

  test('versions', () => {
    expect(parseServerVersion('# Server\r\nredis_version:7.2.4\r\n')).toBe('7.2.4');
    expect(parseServerVersion('nothing')).toBe('');
    expect(compareVersions('7.0.0', '7.0.0')).toBe(0);
    expect(compareVersions('6.2.14', '7.0.0')).toBe(-1);
    expect(compareVersions('7.10', '7.2.4')).toBe(1);
  });

  test('keys are built in one place', () => {
    expect(pcsKey('ab12')).toBe('flk:pcs:ab12');
    expect(pcsKey('ab12', 'test-1:')).toBe('test-1:flk:pcs:ab12');
    expect(() => pcsKey('')).toThrow();
  });
});
