// Regression (found by the bad-input drill, docs/reliability.md): a DLQ entry copying an input of
// ~1 MB was refused by the broker (MESSAGE_TOO_LARGE) and the chunk was retried forever — a
// stalled partition. Big inputs now go to the DLQ truncated, with headers saying so.
import { describe, expect, test } from '@jest/globals';
import { createMemoryDedupStore, fixedClock, testDecideConfig, testKeyRing } from '@flk/pcs/testing';
import type { ConsumedRecord } from '@flk/kafka';
import { createBatchProcessor, DLQ_MAX_ENTRY_BYTES, DLQ_TRUNCATED_BYTES } from './processor.js';
import { createFakeCodec } from './testing/fake-codec.js';

function setup() {
  const codec = createFakeCodec();
  const clock = fixedClock();
  const process = createBatchProcessor({
    codec, dedup: createMemoryDedupStore(clock), decideConfig: () => testDecideConfig(testKeyRing('hmac')), clock, dedupTtlSeconds: 60,
    topics: { verdicts: 'out', dlq: 'dlq' }, logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  return { codec, run: (records: ConsumedRecord[]) => process({ topic: 'in', partition: 0, records }) };
}

describe('DLQ entries of big inputs', () => {
  test('an input past DLQ_MAX_ENTRY_BYTES is rejected and DLQ-ed truncated, with its size in a header', async () => {
    const t = setup();
    const big = Buffer.alloc(DLQ_MAX_ENTRY_BYTES + 10, 7); // magic byte 7: malformed:wire_magic
    const { messages, outcomes } = await t.run([rec0(t, big)]);
    expect(outcomes.map((o) => [o.status, o.dlq])).toEqual([['rejected', true]]);
    const dlq = messages.filter((m) => m.topic === 'dlq');
    expect(dlq).toHaveLength(1);
    expect(dlq[0]!.value!.length).toBe(DLQ_TRUNCATED_BYTES);
    expect(dlq[0]!.value!.equals(big.subarray(0, DLQ_TRUNCATED_BYTES))).toBe(true);
    expect(dlq[0]!.headers).toMatchObject({ 'flk-value-truncated': 'true', 'flk-value-bytes': String(big.length), 'flk-source-key-bytes': '1', 'flk-reason': 'malformed:wire_magic' });
    expect(dlq[0]!.headers!['flk-source-key']).toBeUndefined();
  });

  test('a huge key counts too; inputs below the limit are copied whole, key included', async () => {
    const t = setup();
    const small = Buffer.from([9, 1, 2, 3]);
    const { messages } = await t.run([
      { ...rec0(t, small), key: Buffer.alloc(DLQ_MAX_ENTRY_BYTES, 1) },
      { ...rec0(t, small), offset: '1' },
    ]);
    const dlq = messages.filter((m) => m.topic === 'dlq');
    expect(dlq[0]!.headers!['flk-value-truncated']).toBe('true');
    expect(dlq[0]!.headers!['flk-source-key']).toBeUndefined();
    expect(dlq[1]!.value!.equals(small)).toBe(true);
    expect(dlq[1]!.headers!['flk-value-truncated']).toBeUndefined();
    expect(dlq[1]!.headers!['flk-source-key']).toEqual(Buffer.from('k'));
  });
});

function rec0(_t: ReturnType<typeof setup>, value: Buffer): ConsumedRecord {
  return { topic: 'in', partition: 0, offset: '0', key: Buffer.from('k'), value, timestamp: '0' };
}
