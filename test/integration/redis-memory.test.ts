// Redis memory per dedup key (docs/benchmarks.md, "Redis memory for 14 days of dedup keys"):
// MEMORY USAGE on the real Redis of a realistic v0.1 and v0.2 key, holding the verdict as the
// previous verifiers stored it (JSON text) and as they store it now (@flk/registry's stored form),
// written through the real RedisDedupStore. MEMORY USAGE counts the key's sds, the value object
// and its dict entry (not the expires-dict entry); it is exact for strings, so the figures are
// stable for a given Redis build and allocator (here Debian's 7.0, jemalloc).
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, test } from '@jest/globals';
import { decide, type Verdict } from '@flk/pcs';
import { sampleRecord, sampleRecordV02, testDecideConfig, testKeyRing } from '@flk/pcs/testing';
import { stampPolicy } from '@flk/policy';
import { decodeStoredVerdict, encodeStoredVerdict } from '@flk/registry';
import { createRedisDedupStore, pcsKey } from '@flk/redis';
import { testRedis } from '../support/index.js';

const redis = testRedis();
const written: string[] = [];
afterAll(async () => {
  if (written.length > 0) await redis.call('DEL', written);
  await redis.close();
});

const report = (line: string) => process.stderr.write(`[redis-memory] ${line}\n`);

/** Realistic verdicts: a v0.1 accepted record, a v0.2 escalated one with a key_id and a policy stamp (what a policy-set verifier stores). */
function verdicts(): Array<{ name: string; key: string; v: Verdict }> {
  const cfg = testDecideConfig(testKeyRing('hmac'));
  const shard = () => `shard-${randomBytes(4).toString('hex')}`; // a fresh pcs_id per run: no clash with other keys
  const meta = { decidedAt: new Date().toISOString(), source: { topic: 'pcs.submitted', partition: 4, offset: '18234411' }, now: Date.parse('2025-01-01T00:00:05Z') };
  const v01 = decide(sampleRecord({ shard_id: shard(), sent_at: '2025-01-01T00:00:00.250Z' }), cfg, null, meta);
  const v02 = decide(sampleRecordV02({ shard_id: shard(), sent_at: '2025-01-01T00:00:00.250Z', budget: 0.99 }), cfg, null, meta);
  const policy = { document: { id: 'acme-default', version: '1.4.2' }, digest: `sha256:${randomBytes(32).toString('hex')}` } as Parameters<typeof stampPolicy>[1];
  expect([v01.status, v02.status]).toEqual(['accepted', 'escalated']);
  return [
    { name: 'v0.1 accepted, no policy  ', key: v01.pcs_id, v: v01 },
    { name: 'v0.2 escalated, policy    ', key: `${v02.tenant_id}/${v02.pcs_id}`, v: stampPolicy(v02, policy) },
  ];
}

const memoryUsage = async (key: string) => Number(await redis.call('MEMORY', ['USAGE', key, 'SAMPLES', '0']));

describe('Redis memory per dedup key', () => {
  test('the stored form takes at most 40 % of the JSON it replaces, per key (MEMORY USAGE); both read back', async () => {
    const store = createRedisDedupStore({ client: redis }); // no prefix: the production key names
    for (const { name, key, v } of verdicts()) {
      const forms = { json: Buffer.from(JSON.stringify(v)), stored: encodeStoredVerdict(v, key) };
      const usage: Record<string, number> = {};
      for (const [form, bytes] of Object.entries(forms)) {
        const redisKey = pcsKey(key);
        written.push(redisKey);
        await redis.call('DEL', [redisKey]);
        expect(await store.claim(key, bytes, 1_209_600)).toEqual({ claimed: true });
        expect(decodeStoredVerdict((await store.get(key))!, key)).toEqual(v);
        usage[form] = await memoryUsage(redisKey);
        report(`${name} ${form.padEnd(6)} key ${Buffer.byteLength(redisKey)} B, value ${bytes.length} B -> MEMORY USAGE ${usage[form]} B`);
        await redis.call('DEL', [redisKey]);
      }
      expect(usage.stored!).toBeLessThanOrEqual(0.4 * usage.json!);
    }
  });

  test('what MEMORY USAGE leaves out: used_memory grows by more per key (the expires entry, the hash tables\' buckets)', async () => {
    const N = 50_000;
    const { key, v } = verdicts()[0]!;
    const value = encodeStoredVerdict(v, key);
    const prefix = `mem-${randomBytes(4).toString('hex')}:`;
    const ids = Array.from({ length: N }, () => randomBytes(32).toString('hex'));
    const usedMemory = async () => Number(/^used_memory:(\d+)/m.exec(String(await redis.call('INFO', ['memory'])))![1]);
    const store = createRedisDedupStore({ client: redis, keyPrefix: prefix });
    const before = await usedMemory();
    for (let i = 0; i < N; i += 1000) await store.claimMany(ids.slice(i, i + 1000).map((id) => ({ key: id, value })), 600);
    const after = await usedMemory();
    const sampled = await memoryUsage(pcsKey(ids[0]!, prefix));
    for (let i = 0; i < N; i += 1000) await redis.call('UNLINK', ids.slice(i, i + 1000).map((id) => pcsKey(id, prefix)));
    const perKey = (after - before) / N;
    report(`${N} keys (${Buffer.byteLength(pcsKey(ids[0]!, prefix))}-byte key, ${value.length}-byte value, with TTL): used_memory +${after - before} B = ${perKey.toFixed(1)} B/key; MEMORY USAGE of one: ${sampled} B`);
    expect(perKey).toBeGreaterThan(sampled);
  }, 60_000);

  test('what a dedup key costs by itself: the floor under any value, for the key layouts docs/benchmarks.md compares', async () => {
    // An empty value isolates the key's own cost (sds + dict entry + the smallest value object).
    const pcsId = randomBytes(32);
    const layouts = {
      'flk:pcs:<64 hex>          ': Buffer.from(pcsKey(pcsId.toString('hex'))),
      'flk:pcs:acme/<64 hex>     ': Buffer.from(pcsKey(`acme/${pcsId.toString('hex')}`)),
      'flk:pcs:<32 raw bytes>    ': Buffer.concat([Buffer.from(pcsKey('x').slice(0, -1)), pcsId]),
    };
    const floors: number[] = [];
    for (const [name, k] of Object.entries(layouts)) {
      await redis.callBuffer('SET', [k, Buffer.alloc(0), 'EX', 60]);
      const empty = Number(await redis.callBuffer('MEMORY', [Buffer.from('USAGE'), k]));
      await redis.callBuffer('SET', [k, Buffer.alloc(44, 7), 'EX', 60]);
      const v44 = Number(await redis.callBuffer('MEMORY', [Buffer.from('USAGE'), k]));
      await redis.callBuffer('DEL', [k]);
      floors.push(empty);
      report(`key ${name} ${k.length} B: empty value ${empty} B, 44-byte value ${v44} B`);
    }
    // The hex key alone already costs more than a binary one: the 14-day bill is mostly per-key overhead.
    expect(floors[0]!).toBeGreaterThan(floors[2]!);
  });
});
