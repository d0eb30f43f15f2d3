// Replays and duplicates against the real verifier (docs/reliability.md):
//  - one valid record delivered 10 000 times → one Redis key, one decision, 9 999 `duplicate`
//    verdicts identical to the first but for the duplicate flag and the source;
//  - copies with a bad signature delivered BEFORE the valid record do not claim its pcs_id
//    (verify before dedup): the valid one is decided afresh, and only it is stored.
import { afterEach, describe, expect, test } from '@jest/globals';
import { countDedupKeys, createPipelineFixture, signedRecord, storedVerdict, type PipelineFixture } from '../support/index.js';

let fx: PipelineFixture | undefined;
afterEach(async () => {
  await fx?.cleanup();
  fx = undefined;
});

const report = (line: string) => process.stderr.write(`[replay] ${line}\n`);

describe('replays and duplicates', () => {
  test('the same valid record 10 000 times: one key, one decision, 9 999 duplicates identical to it', async () => {
    fx = await createPipelineFixture({ partitions: 3 });
    const N = 10_000;
    const rec = signedRecord();
    await fx.produceRecords(Array.from({ length: N }, () => rec)); // same key → one partition, in order
    const v = await fx.startVerifier('verifier-replay');
    await v.waitReady();
    const verdicts = await fx.readVerdicts({ count: N, timeoutMs: 150_000, settleMs: 2_000 });
    expect(verdicts).toHaveLength(N);
    const firsts = verdicts.filter((x) => !x.verdict.duplicate);
    expect(firsts).toHaveLength(1);
    const first = firsts[0]!.verdict;
    expect(first.status).toBe('accepted');
    expect(first.source?.offset).toBe('0'); // the first delivery is the decision
    const strip = (x: typeof first) => ({ ...x, duplicate: null, source: null });
    const dupes = verdicts.filter((x) => x.verdict.duplicate);
    expect(dupes).toHaveLength(N - 1);
    let differing = 0;
    for (const d of dupes) if (JSON.stringify(strip(d.verdict)) !== JSON.stringify(strip(first))) differing++;
    expect(differing).toBe(0);
    expect(new Set(verdicts.map((x) => `${x.verdict.source?.partition}:${x.verdict.source?.offset}`)).size).toBe(N);
    expect(await countDedupKeys(fx.redis, fx.redisKeyPrefix)).toBe(1);
    const stored = (await storedVerdict(fx.redis, fx.redisKeyPrefix, rec.pcs_id))!;
    expect(stored.decided_at).toBe(first.decided_at);
    expect(stored.source).toEqual(first.source);
    report(`${N} deliveries → 1 decision (${first.status}), ${dupes.length} duplicates identical but for duplicate/source, 1 Redis key`);
  }, 240_000);

  test('bad-signature copies before the valid record do not poison its dedup key', async () => {
    fx = await createPipelineFixture({ partitions: 1 });
    const rec = signedRecord();
    const forged = Array.from({ length: 50 }, (_, i) => ({ ...rec, sig: Buffer.alloc(32, i + 1).toString('base64') }));
    const unsigned = { ...rec };
    delete unsigned.sig;
    await fx.produceRecords([...forged, unsigned, rec, rec]);
    const v = await fx.startVerifier('verifier-poison');
    await v.waitReady();
    const verdicts = await fx.readVerdicts({ count: 53, timeoutMs: 60_000 });
    const byOffset = new Map(verdicts.map((x) => [Number(x.verdict.source?.offset), x.verdict]));
    for (let o = 0; o < 51; o++) expect([o, byOffset.get(o)?.status, byOffset.get(o)?.reasons]).toEqual([o, 'rejected', ['signature']]);
    expect(byOffset.get(51)).toMatchObject({ status: 'accepted', duplicate: false, pcs_id: rec.pcs_id });
    expect(byOffset.get(52)).toMatchObject({ status: 'accepted', duplicate: true, decided_at: byOffset.get(51)!.decided_at });
    expect(await countDedupKeys(fx.redis, fx.redisKeyPrefix)).toBe(1);
    const stored = (await storedVerdict(fx.redis, fx.redisKeyPrefix, rec.pcs_id))!;
    expect(stored).toMatchObject({ status: 'accepted', source: { offset: '51' } });
  }, 120_000);
});
