// The Redis adapter against the local Sentinel group (infra/local/redis-ha.sh, brought up by the
// integration global setup): the same DedupStore conformance suite as a single server, with WAIT on,
// then what only a primary with replicas can show: a short WAIT is a retriable error, and claims
// acknowledged before a SIGKILL of the primary are all on the primary the sentinels promote.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from '@jest/globals';
import { runDedupStoreConformance } from '@flk/pcs/conformance';
import { Redis } from 'ioredis';
import { createRedisClient, wrapIoredis, type RedisConnection } from './client.js';
import { createRedisDedupStore } from './dedup-store.js';
import { REDIS_ERROR_CODES, RedisReplicationError } from './errors.js';
import { pcsKey } from './keys.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const sentinels = (process.env.FLK_HA_REDIS_SENTINELS ?? '127.0.0.1:6410,127.0.0.1:6411,127.0.0.1:6412').split(',').map((hp) => {
  const [host, port] = hp.split(':');
  return { host: host!, port: Number(port) };
});
const name = process.env.FLK_HA_REDIS_SENTINEL_NAME ?? 'flk';
const prefix = () => `test-${randomBytes(6).toString('hex')}:`;

const clients: RedisConnection[] = [];
const connect = () => {
  const c = createRedisClient({ sentinel: { sentinels, name }, connectionName: 'flk-redis-ha-test' });
  clients.push(c);
  return c;
};
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

runDedupStoreConformance('redis sentinel + WAIT 1', () => createRedisDedupStore({ client: connect(), keyPrefix: prefix(), wait: { replicas: 1, timeoutMs: 1000 } }), {
  advance: (ms) => new Promise((r) => setTimeout(r, ms)),
  timeoutMs: 15_000,
});

describe('redis sentinel (real group: primary + 2 replicas + 3 sentinels)', () => {
  test('WAIT for more replicas than exist: RedisReplicationError, retriable, after the timeout', async () => {
    const store = createRedisDedupStore({ client: connect(), keyPrefix: prefix(), wait: { replicas: 3, timeoutMs: 200 } });
    const t0 = Date.now();
    const err = await store.claimMany([{ key: 'a', value: Buffer.from('v') }], 60).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedisReplicationError);
    expect(err).toMatchObject({ code: REDIS_ERROR_CODES.REPLICA_ACK_SHORT, retriable: true, acked: 2, required: 3 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
  });

  test('a claim batch with WAIT is still one round trip', async () => {
    const events: Array<{ op: string; entries: number }> = [];
    const store = createRedisDedupStore({ client: connect(), keyPrefix: prefix(), wait: { replicas: 2, timeoutMs: 1000 }, onRoundTrip: ({ op, entries }) => events.push({ op, entries }) });
    await store.checkServer();
    const res = await store.claimMany(Array.from({ length: 300 }, (_, i) => ({ key: `k${i}`, value: Buffer.from(`v${i}`) })), 60);
    expect(res.every((r) => r.claimed)).toBe(true);
    expect(events.filter((e) => e.op === 'claimMany')).toEqual([{ op: 'claimMany', entries: 300 }]);
  });

  test('SIGKILL of the primary: the client follows the promoted replica and every acknowledged claim is there', async () => {
    const p = prefix();
    const client = connect();
    const store = createRedisDedupStore({ client, keyPrefix: p, wait: { replicas: 1, timeoutMs: 1000 } });
    const acked: string[] = [];
    let failures = 0;
    let stop = false;
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        const batch = Array.from({ length: 20 }, (_, j) => ({ key: `f${i}-${j}`, value: Buffer.from('v') }));
        try {
          await store.claimMany(batch, 600);
          acked.push(...batch.map((b) => b.key));
        } catch (err) {
          expect((err as { retriable?: boolean }).retriable).toBe(true);
          failures++;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    })();
    await new Promise((r) => setTimeout(r, 500));
    const before = acked.length;
    const out = execFileSync('bash', [`${REPO}infra/local/redis-ha.sh`, 'kill-primary', '--restart'], { cwd: REPO, encoding: 'utf8', env: process.env });
    expect(out).toMatch(/failover: \S+ -> \S+/);
    // Writes resume on the new primary.
    const resumedAt = acked.length;
    const deadline = Date.now() + 20_000;
    while (acked.length <= resumedAt + 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    stop = true;
    await writer;
    expect(before).toBeGreaterThan(0);
    expect(acked.length).toBeGreaterThan(resumedAt + 200);
    // Every claim acknowledged (WAIT 1 passed) is on the promoted primary.
    const missing: string[] = [];
    for (let i = 0; i < acked.length; i += 500) {
      const slice = acked.slice(i, i + 500);
      const vals = (await client.call('MGET', slice.map((k) => pcsKey(k, p)))) as Array<string | null>;
      vals.forEach((v, j) => v === null && missing.push(slice[j]!));
    }
    expect({ acked: acked.length, missing: missing.length }).toEqual({ acked: acked.length, missing: 0 });
    process.stdout.write(`redis failover: ${acked.length} claims acknowledged, ${failures} retriable failures during the failover, 0 missing\n`);
  }, 60_000);

  // Regression (CI cluster drill: after the Sentinel failover it caused, the drill's client was
  // 'end'ed by ioredis, and every later command failed with 'redis: connection closed').
  test('an ioredis client that ended without close() is reconnected: commands succeed again', async () => {
    const raw = new Redis({ sentinels, name, lazyConnect: false, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    const conn = wrapIoredis(raw, { sentinel: { sentinels, name } });
    clients.push(conn);
    await conn.ping();
    const ended = new Promise((r) => raw.once('end', r));
    raw.disconnect(); // ioredis ends the client: what its connector failing mid-connect also does
    await ended;
    let last: unknown;
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await conn.ping();
        break;
      } catch (err) {
        last = err;
        expect((err as { retriable?: boolean }).retriable).toBe(true);
        if (Date.now() > deadline) throw new Error(`still failing after 10 s: ${(last as Error).message}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    expect(raw.status).toBe('ready');
    await conn.close();
    await expect(conn.ping()).rejects.toThrow('redis: connection closed'); // close() is final
  });
});
