import { describe, expect, test } from '@jest/globals';
import { decide, type DedupStore, type Pcs, type Verdict } from '@flk/pcs';
import { decodeStoredVerdict } from '@flk/registry';
import { createMemoryDedupStore, fixedClock, sampleRecord, sampleRecordV02, testDecideConfig, testKeyRing } from '@flk/pcs/testing';
import type { ConsumedRecord, OutputMessage } from '@flk/kafka';
import { createBatchProcessor } from './processor.js';
import { createFakeCodec, FAKE_PCS_SCHEMA_ID } from './testing/fake-codec.js';
import { testSigner } from '@flk/pcs/testing';

const testSignerEd = () => testSigner('ed25519');

const TOPIC = 'in';
const PARTITION = 3;
const TOPICS = { verdicts: 'out', dlq: 'dlq' };
const keyRing = testKeyRing('hmac');
const config = testDecideConfig(keyRing);

function setup(opts: { dedup?: DedupStore; topics?: { verdicts: string; dlq: string; replies?: string } } = {}) {
  const codec = createFakeCodec();
  const clock = fixedClock();
  const dedup = opts.dedup ?? createMemoryDedupStore(clock);
  const decisions: number[] = [];
  const process = createBatchProcessor({
    codec,
    dedup,
    decideConfig: () => config,
    clock,
    dedupTtlSeconds: 1_209_600,
    topics: opts.topics ?? TOPICS,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    onDecide: (s) => decisions.push(s),
  });
  let next = 0;
  const rec = (value: Buffer | null, offset = next++): ConsumedRecord => ({
    topic: TOPIC,
    partition: PARTITION,
    offset: String(offset),
    key: Buffer.from('k'),
    value,
    timestamp: String(clock.now() - 250),
  });
  const run = (records: ConsumedRecord[]) => process({ topic: TOPIC, partition: PARTITION, records });
  const verdictOf = (m: OutputMessage) => codec.decodeVerdict(m.value!) as unknown as Verdict;
  return { codec, clock, dedup, run, rec, verdictOf, decisions };
}

/** n distinct valid signed records (distinct merkle roots → distinct pcs_ids). */
function records(n: number, overrides: (i: number) => Partial<Pcs> = () => ({})): Pcs[] {
  return Array.from({ length: n }, (_, i) => sampleRecord({ merkle_root: (i + 1).toString(16).padStart(64, '0'), ...overrides(i) }));
}

// The policy members read back from Avro take their defaults (null, []) when no policy set is given.
const strip = ({ decided_at: _d, source: _s, policy_id: _pi, policy_version: _pv, policy_digest: _pd, pii: _pii, ...rest }: Verdict) => rest;

describe('batch processor', () => {
  test('a chunk of 1,000 records yields to the event loop every 64 decisions: other partitions are never held behind it longer', async () => {
    const t = setup();
    const pcs = records(1000);
    // Stands in for the other partitions' Redis/Kafka replies: an event-loop callback that notes
    // how many decisions ran since it last got a turn.
    const gaps: number[] = [];
    let seen = 0;
    let running = true;
    const tick = () => {
      gaps.push(t.decisions.length - seen);
      seen = t.decisions.length;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const res = await t.run(pcs.map((p) => t.rec(t.codec.encodePcs(p))));
    running = false;
    expect(res.outcomes).toHaveLength(1000);
    expect(t.decisions).toHaveLength(1000);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(64);
    expect(gaps.filter((g) => g > 0).length).toBeGreaterThanOrEqual(1000 / 64 - 1);
  });


  test('N records → N verdicts in input order, each equal to the offline decision', async () => {
    const t = setup();
    // A mix: accepted, escalated (budget mismatch, degraded), regime mismatch.
    const pcs = [
      ...records(3),
      ...records(1, () => ({ budget: 0.99, shard_id: 'shard-b' })),
      ...records(1, () => ({ ft: { outbox_seq: 1, degraded: true, fallbacks: [], clock_skew_ms: 0 }, shard_id: 'shard-c' })),
    ];
    const batch = pcs.map((p) => t.rec(t.codec.encodePcs(p)));
    const { messages, outcomes } = await t.run(batch);
    expect(messages).toHaveLength(pcs.length);
    messages.forEach((m, i) => {
      const v = t.verdictOf(m);
      const offline = decide(pcs[i], config, null, { decidedAt: 'x', source: null });
      expect(strip(v)).toEqual(strip(offline));
      expect(m.topic).toBe('out');
      expect(m.key).toBe(pcs[i]!.pcs_id);
      expect(v.source).toEqual({ topic: TOPIC, partition: PARTITION, offset: batch[i]!.offset });
      expect(v.decided_at).toBe(t.clock.iso());
    });
    expect(outcomes.map((o) => o.status)).toEqual(['accepted', 'accepted', 'accepted', 'escalated', 'escalated']);
    expect(outcomes[0]!.ageSeconds).toBeCloseTo(0.25);
    expect(t.decisions).toHaveLength(5);
    // Every claim stored the published verdict.
    for (const [i, p] of pcs.entries()) {
      expect({ policy_id: null, policy_version: null, policy_digest: null, pii: [], ...decodeStoredVerdict((await t.dedup.get(p.pcs_id))!, p.pcs_id) }).toEqual(t.verdictOf(messages[i]!));
    }
  });

  test('a replayed batch (same offsets) re-publishes the stored verdicts byte for byte, not as duplicates', async () => {
    const t = setup();
    const batch = records(4).map((p, i) => t.rec(t.codec.encodePcs(p), 100 + i));
    const first = await t.run(batch);
    t.clock.advance(60_000); // a later retry: decided_at must still be the original one
    const again = await t.run(batch);
    expect(again.messages.map((m) => m.value)).toEqual(first.messages.map((m) => m.value));
    expect(again.messages.map((m) => m.key)).toEqual(first.messages.map((m) => m.key));
    expect(again.outcomes.every((o) => o.replay && !o.duplicate)).toBe(true);
  });

  test('the same pcs_id at another offset is the stored verdict flagged duplicate, with the new source', async () => {
    const t = setup();
    const [p] = records(1, () => ({ budget: 0.99 })); // escalated, so "stored verdict" is visible
    const { messages: m1 } = await t.run([t.rec(t.codec.encodePcs(p!), 10)]);
    t.clock.advance(5_000);
    const { messages: m2, outcomes } = await t.run([t.rec(t.codec.encodePcs({ ...p!, attempt: 2 }), 11)]);
    const original = t.verdictOf(m1[0]!);
    const dup = t.verdictOf(m2[0]!);
    expect(dup).toEqual({ ...original, duplicate: true, source: { topic: TOPIC, partition: PARTITION, offset: '11' } });
    expect(m2[0]!.key).toBe(p!.pcs_id);
    expect(outcomes[0]).toMatchObject({ duplicate: true, replay: false, status: 'escalated' });
  });

  test('a pcs_id repeated within one batch: the first occurrence wins, the second is a duplicate', async () => {
    const t = setup();
    const [p] = records(1);
    const { messages } = await t.run([t.rec(t.codec.encodePcs(p!)), t.rec(t.codec.encodePcs(p!))]);
    expect(messages.map((m) => t.verdictOf(m).duplicate)).toEqual([false, true]);
  });

  test('a tampered signed field is rejected/signature, keyed by its source, with no DLQ entry and no claim', async () => {
    const t = setup();
    const [p] = records(1);
    const tampered = { ...p!, D_hat: p!.D_hat + 0.01 };
    const { messages, outcomes } = await t.run([t.rec(t.codec.encodePcs(tampered), 7)]);
    expect(messages).toHaveLength(1);
    const v = t.verdictOf(messages[0]!);
    expect(v).toMatchObject({ status: 'rejected', reason: 'signature', accepted: false, duplicate: false, pcs_id: p!.pcs_id });
    expect(messages[0]!.key).toBe(`rejected:${TOPIC}:${PARTITION}:7`);
    expect(await t.dedup.get(p!.pcs_id)).toBeNull();
    expect(outcomes[0]).toMatchObject({ dlq: false, reason: 'signature' });
  });

  test.each([
    ['garbage bytes', Buffer.from('definitely not avro'), 'malformed:wire_magic'],
    ['empty value', null, 'malformed:empty'],
    ['unknown schema id', Buffer.from([0, 0, 0, 0, 99, 1, 2, 3]), 'malformed:unknown_schema_id'],
    ['truncated avro', null as unknown as Buffer, 'malformed:avro'],
  ])('undecodable input (%s) → rejected verdict + DLQ entry with the original bytes', async (_name, value, reason) => {
    const t = setup();
    let bytes = value;
    if (_name === 'truncated avro') bytes = t.codec.encodePcs(records(1)[0]!).subarray(0, 40);
    const { messages, outcomes } = await t.run([t.rec(bytes, 42)]);
    expect(messages).toHaveLength(2);
    const [verdictMsg, dlqMsg] = messages;
    const v = t.verdictOf(verdictMsg!);
    expect(v.status).toBe('rejected');
    expect(v.reason.startsWith(reason.startsWith('malformed:avro') ? 'malformed:avro' : reason)).toBe(true);
    expect(verdictMsg!.key).toBe(`rejected:${TOPIC}:${PARTITION}:42`);
    expect(dlqMsg).toMatchObject({ topic: 'dlq', key: `${TOPIC}:${PARTITION}:42`, value: bytes });
    expect(dlqMsg!.headers).toMatchObject({
      'flk-reason': v.reason,
      'flk-source-topic': TOPIC,
      'flk-source-partition': String(PARTITION),
      'flk-source-offset': '42',
      'flk-failed-at': t.clock.iso(),
      'flk-source-key': Buffer.from('k'),
    });
    expect(outcomes[0]!.dlq).toBe(true);
  });

  test('a decodable but structurally invalid record → rejected malformed:* + DLQ, and never claimed', async () => {
    const t = setup();
    const [p] = records(1);
    const bad = { ...p!, pcs_id: 'f'.repeat(64) }; // pcs_id does not match merkle_root|epoch|shard_id
    const { messages } = await t.run([t.rec(t.codec.encodePcs(bad), 5)]);
    const v = t.verdictOf(messages[0]!);
    expect(v.status).toBe('rejected');
    expect(v.reasons).toContain('malformed:pcs_id_mismatch');
    expect(messages[1]!.headers!['flk-reason']).toContain('malformed:pcs_id_mismatch');
    expect(messages[0]!.key).toBe(`rejected:${TOPIC}:${PARTITION}:5`);
    expect(await t.dedup.get('f'.repeat(64))).toBeNull();
  });

  test('headers: traceparent is copied onto the verdict and the DLQ entry; a reply key adds a copy of the verdict to the replies topic; malformed values are dropped', async () => {
    const t = setup({ topics: { ...TOPICS, replies: 'replies' } });
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const [good, bad] = records(2);
    const withHeaders = (value: Buffer, headers: ConsumedRecord['headers']) => ({ ...t.rec(value), headers });
    const { messages } = await t.run([
      withHeaders(t.codec.encodePcs(good!), { traceparent: Buffer.from(tp), 'flk-reply-key': Buffer.from('gw-1.abc') }),
      withHeaders(t.codec.encodePcs({ ...bad!, pcs_id: 'f'.repeat(64) }), { traceparent: tp, 'flk-reply-key': 'gw-1.def' }),
      withHeaders(t.codec.encodePcs(records(3)[2]!), { traceparent: 'not-a-traceparent', 'flk-reply-key': 'spaces are refused' }),
    ]);
    expect(messages.map((m) => [m.topic, m.key])).toEqual([
      ['out', good!.pcs_id],
      ['replies', 'gw-1.abc'],
      ['out', 'rejected:in:3:1'],
      ['replies', 'gw-1.def'],
      ['dlq', 'in:3:1'],
      ['out', records(3)[2]!.pcs_id],
    ]);
    expect(messages[0]!.headers).toEqual({ traceparent: tp });
    expect(messages[1]!.value).toEqual(messages[0]!.value); // the very same verdict bytes
    expect(messages[1]!.headers).toEqual({ traceparent: tp });
    expect(messages[4]!.headers!.traceparent).toBe(tp);
    expect(messages[5]!.headers).toBeUndefined();
    // Without a replies topic (missing at start-up) reply keys are ignored.
    const off = setup();
    const out = await off.run([withHeaders(off.codec.encodePcs(good!), { 'flk-reply-key': 'gw-1.abc' })]);
    expect(out.messages.map((m) => m.topic)).toEqual(['out']);
  });

  test('Redis down → a retriable error and no output (the batch is retried, never half-answered)', async () => {
    const down = Object.assign(new Error('redis: SET failed: connect ECONNREFUSED'), { retriable: true, code: 'REDIS_UNAVAILABLE' });
    const dedup: DedupStore = { claim: () => Promise.reject(down), claimMany: () => Promise.reject(down), get: () => Promise.reject(down) };
    const t = setup({ dedup });
    await expect(t.run([t.rec(t.codec.encodePcs(records(1)[0]!))])).rejects.toMatchObject({ retriable: true });
  });

  test('registry down → a retriable error', async () => {
    const t = setup();
    t.codec.registryDown = true;
    await expect(t.run([t.rec(t.codec.encodePcs(records(1)[0]!))])).rejects.toMatchObject({ retriable: true, code: 'REGISTRY_UNAVAILABLE' });
  });

  test('an unreadable stored value does not stall the partition: own decision, flagged duplicate', async () => {
    const t = setup();
    const [p] = records(1);
    await t.dedup.claim(p!.pcs_id, Buffer.from('not json'), 60);
    const { messages } = await t.run([t.rec(t.codec.encodePcs(p!))]);
    expect(t.verdictOf(messages[0]!)).toMatchObject({ status: 'accepted', duplicate: true });
  });

  test('rolling upgrade: a key holding the JSON an older verifier stored still decides the duplicate', async () => {
    const t = setup();
    const [p] = records(1);
    // The original decision, made by a verifier before the compact stored form (JSON text, no v0.2 members).
    const original = { ...decide(p, config, null, { decidedAt: '2026-11-20T08:00:00.000Z', source: { topic: TOPIC, partition: PARTITION, offset: '7' } }), status: 'escalated', accepted: false, escalated: true, reason: 'degraded', reasons: ['degraded'] };
    const { sent_at: _s, version: _v, key_id: _k, signature_checked: _c, ...old } = original;
    await t.dedup.claim(p!.pcs_id, Buffer.from(JSON.stringify(old)), 60);
    const { messages } = await t.run([t.rec(t.codec.encodePcs(p!), 99)]);
    expect(t.verdictOf(messages[0]!)).toMatchObject({ status: 'escalated', reasons: ['degraded'], duplicate: true, decided_at: '2026-11-20T08:00:00.000Z', source: { offset: '99' } });
    expect(t.decisions).toHaveLength(1);
  });

  test('the verdict schema id is used for verdicts and records of the pcs schema are decoded', async () => {
    const t = setup();
    const { messages } = await t.run([t.rec(t.codec.encodePcs(records(1)[0]!))]);
    expect(messages[0]!.value!.readInt32BE(1)).not.toBe(FAKE_PCS_SCHEMA_ID);
  });

  describe('v0.2 (§7)', () => {
    // The fixed clock stands at 2025-01-01T00:00:00Z; records are appended 250 ms before it, and
    // the sample records are sent at 2025-01-01T00:00:00Z.
    const v02 = (i: number, o: Partial<Pcs> = {}) => sampleRecordV02({ merkle_root: (i + 1).toString(16).padStart(64, 'a'), ...o });

    test('v0.1 and v0.2 mixed in one partition each get their verdict; v0.2 keys are tenant/pcs_id', async () => {
      const t = setup();
      const a = records(1)[0]!;
      const b = v02(1);
      const { messages, outcomes } = await t.run([t.rec(t.codec.encodePcs(a)), t.rec(t.codec.encodePcs(b))]);
      expect(outcomes.map((o) => [o.status, o.tenant])).toEqual([['accepted', null], ['accepted', 'acme']]);
      expect(messages.map((m) => m.key)).toEqual([a.pcs_id, `acme/${b.pcs_id}`]);
      expect(t.verdictOf(messages[1]!)).toMatchObject({ version: '0.2', tenant_id: 'acme', key_id: 'acme-1', signature_checked: true });
      expect(await t.dedup.get(`acme/${b.pcs_id}`)).not.toBeNull();
    });

    test('a forged copy published first is rejected and claims nothing; the genuine record is then accepted', async () => {
      const t = setup();
      const genuine = v02(2);
      const forged = { ...genuine, N_j: { ...genuine.N_j, '32': 30 } };
      const { outcomes } = await t.run([t.rec(t.codec.encodePcs(forged)), t.rec(t.codec.encodePcs(genuine))]);
      expect(outcomes.map((o) => [o.status, o.reason, o.duplicate])).toEqual([['rejected', 'signature', false], ['accepted', 'ok', false]]);
    });

    test('the same pcs_id from two tenants: two independent first verdicts', async () => {
      const t = setup();
      const a = v02(3);
      const g = sampleRecordV02({ merkle_root: a.merkle_root, tenant_id: 'globex', key_id: 'globex-1' }, { signer: testSignerEd() });
      expect(g.pcs_id).toBe(a.pcs_id);
      const { outcomes } = await t.run([t.rec(t.codec.encodePcs(a)), t.rec(t.codec.encodePcs(g))]);
      expect(outcomes.map((o) => [o.status, o.duplicate, o.tenant])).toEqual([['accepted', false, 'acme'], ['accepted', false, 'globex']]);
    });

    test('now is the broker append time: a record appended after the window is stale, a replay decides the same', async () => {
      const t = setup();
      const rec = v02(4);
      const late = { ...t.rec(t.codec.encodePcs(rec)), timestamp: String(Date.UTC(2025, 0, 13) + 1) };
      const first = await t.run([late]);
      expect(first.outcomes.map((o) => [o.status, o.reason, o.tenant])).toEqual([['rejected', 'stale', 'acme']]);
      t.clock.advance(86_400_000); // the verifier's own clock plays no part
      const again = await t.run([late]);
      expect(again.outcomes.map((o) => o.reason)).toEqual(['stale']);
      expect(await t.dedup.get(`acme/${rec.pcs_id}`)).toBeNull();
    });
  });
});
