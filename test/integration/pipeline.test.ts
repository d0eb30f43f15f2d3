// The verifier end to end on the real stack (Kafka, Redis, schema registry), run as the child
// process operators run. Each test has its own topics, group and Redis key prefix.
import { afterEach, describe, expect, test } from '@jest/globals';
import {
  comparable,
  countDedupKeys,
  createPipelineFixture,
  duplicateRecords,
  encodePcs,
  offlineVerdict,
  signedRecord,
  signedRecords,
  storedVerdict,
  type PipelineFixture,
} from '../support/index.js';

let fx: PipelineFixture | undefined;
afterEach(async () => {
  await fx?.cleanup();
  fx = undefined;
});

const report = (line: string) => process.stderr.write(`[pipeline] ${line}\n`);

describe('verifier pipeline', () => {
  test('N signed records in → exactly N verdicts out, each equal to the offline decision', async () => {
    fx = await createPipelineFixture({ partitions: 3 });
    const N = 2000;
    const recs = signedRecords(N);
    await fx.produceRecords(recs);
    const v = await fx.startVerifier('verifier-a');
    const t0 = Date.now();
    await v.waitReady();
    const verdicts = await fx.readVerdicts({ count: N, timeoutMs: 90_000 });
    const seconds = (Date.now() - t0) / 1000;
    const decided = verdicts.map((x) => Date.parse(x.verdict.decided_at));
    const span = (Math.max(...decided) - Math.min(...decided)) / 1000;
    report(`${N} records → ${verdicts.length} verdicts in ${seconds.toFixed(1)} s from start; decisions spanned ${span.toFixed(2)} s (~${Math.round(N / Math.max(span, 0.001))} records/s steady state, 1 process, 3 partitions)`);

    expect(verdicts).toHaveLength(N);
    expect(duplicateRecords(verdicts)).toBe(0);
    const byId = new Map(verdicts.map((x) => [x.key, x]));
    let escalated = 0;
    for (const rec of recs) {
      const got = byId.get(rec.pcs_id);
      expect(got).toBeDefined();
      expect(comparable(got!.verdict)).toEqual(comparable(offlineVerdict(rec)));
      expect(got!.verdict.duplicate).toBe(false);
      expect(got!.verdict.sent_at).toBe(rec.sent_at);
      expect(got!.verdict.source?.topic).toBe(fx.topics.submitted);
      if (got!.verdict.status === 'escalated') escalated++;
    }
    expect(escalated).toBeGreaterThan(0);
    expect(await countDedupKeys(fx.redis, fx.redisKeyPrefix)).toBe(N);
    // Metrics reflect the committed verdicts.
    const metrics = await v.metrics();
    expect(metrics).toMatch(/flk_verifier_verdicts_total\{status="accepted",reason="ok",duplicate="false"\} \d+/);
    expect(metrics).toContain('flk_verifier_kafka_transaction_seconds_bucket');
    expect(metrics).toContain('flk_verifier_consumer_lag');
  }, 150_000);

  test('a replayed record gets the stored verdict flagged duplicate; a tampered one is rejected/signature with no Redis key', async () => {
    fx = await createPipelineFixture({ partitions: 1 });
    const v = await fx.startVerifier('verifier-a');
    await v.waitReady();
    const original = signedRecord({ budget: 0.99 }); // escalated: the stored verdict is recognisable
    await fx.produceRecords([original]);
    const first = await fx.readVerdicts({ count: 1 , settleMs: 200 });
    expect(first[0]!.verdict).toMatchObject({ status: 'escalated', duplicate: false });

    const tampered = { ...signedRecord(), D_hat: 1.23 }; // signed field changed after signing
    await fx.produceRecords([original, { ...original, attempt: 2 }, tampered]);
    const all = await fx.readVerdicts({ count: 4 });
    expect(all).toHaveLength(4);
    const [, replay, retry, rejected] = all.sort((a, b) => Number(a.verdict.source!.offset) - Number(b.verdict.source!.offset));
    for (const dup of [replay!, retry!]) {
      expect(dup.key).toBe(original.pcs_id);
      expect(dup.verdict).toEqual({ ...first[0]!.verdict, duplicate: true, source: dup.verdict.source });
      expect(dup.verdict.decided_at).toBe(first[0]!.verdict.decided_at);
      expect(dup.verdict.source!.offset).not.toBe(first[0]!.verdict.source!.offset);
    }
    expect(rejected!.verdict).toMatchObject({ status: 'rejected', reason: 'signature', pcs_id: tampered.pcs_id, duplicate: false });
    expect(rejected!.key).toBe(`rejected:${fx.topics.submitted}:0:${rejected!.verdict.source!.offset}`);
    expect(await storedVerdict(fx.redis, fx.redisKeyPrefix, tampered.pcs_id)).toBeNull();
    expect(await storedVerdict(fx.redis, fx.redisKeyPrefix, original.pcs_id)).not.toBeNull();
  }, 120_000);

  test('malformed input (garbage, wrong magic, unknown schema id, invalid record) → pcs.dlq with the reason, and a rejected verdict', async () => {
    fx = await createPipelineFixture({ partitions: 1 });
    const v = await fx.startVerifier('verifier-a');
    await v.waitReady();
    const good = encodePcs(fx.codec, signedRecord());
    const invalid = signedRecord();
    const cases: Array<{ name: string; value: Buffer; reason: RegExp }> = [
      { name: 'garbage', value: Buffer.from('not a PCS at all'), reason: /^malformed:wire_magic$/ },
      { name: 'wrong magic', value: Buffer.concat([Buffer.from([1]), good.subarray(1)]), reason: /^malformed:wire_magic$/ },
      { name: 'unknown schema id', value: Buffer.concat([Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0]), good.subarray(5)]), reason: /^malformed:unknown_schema_id$/ },
      { name: 'invalid record', value: encodePcs(fx.codec, { ...invalid, pcs_id: 'e'.repeat(64), scales: [2, 4, 4] }), reason: /malformed:/ },
    ];
    await fx.produceRaw(cases.map((c) => ({ key: c.name, value: c.value })));
    const verdicts = (await fx.readVerdicts({ count: cases.length })).sort((a, b) => Number(a.verdict.source!.offset) - Number(b.verdict.source!.offset));
    const dlq = (await fx.readDlq({ count: cases.length })).sort((a, b) => Number(a.headers['flk-source-offset']) - Number(b.headers['flk-source-offset']));
    expect(verdicts).toHaveLength(cases.length);
    expect(dlq).toHaveLength(cases.length);
    cases.forEach((c, i) => {
      const verdict = verdicts[i]!.verdict;
      const offset = verdict.source!.offset;
      expect(verdict.status).toBe('rejected');
      expect(verdict.reason).toMatch(c.reason);
      expect(verdicts[i]!.key).toBe(`rejected:${fx!.topics.submitted}:0:${offset}`);
      const d = dlq[i]!;
      expect(d.key).toBe(`${fx!.topics.submitted}:0:${offset}`);
      expect(Buffer.compare(d.value!, c.value)).toBe(0);
      expect(d.headers['flk-reason']).toMatch(c.reason);
      expect(d.headers).toMatchObject({ 'flk-source-topic': fx!.topics.submitted, 'flk-source-partition': '0', 'flk-source-offset': offset, 'flk-source-key': c.name });
      expect(Number.isNaN(Date.parse(d.headers['flk-failed-at']!))).toBe(false);
    });
    expect(verdicts[3]!.verdict.reasons).toEqual(expect.arrayContaining(['malformed:pcs_id_mismatch']));
    expect(await countDedupKeys(fx.redis, fx.redisKeyPrefix)).toBe(0);
  }, 120_000);
});
