// One conformance suite for every PCS decoder the verifier can be given: the real wire codec runs
// it against the schema registry (integration), the verifier's in-memory fake in unit tests, so
// the fake cannot drift from the real thing — same reasons, same checks in the same order, and
// decodePcsSync agreeing with decodePcs.
import { describe, expect, test } from '@jest/globals';
import type { Pcs } from '@flk/pcs';
import { sampleRecord } from '@flk/pcs/testing';
import type { DecodeResult, WireCodec } from '../wire-codec.js';

export interface PcsCodecUnderTest {
  codec: Pick<WireCodec, 'encodePcs' | 'decodePcs' | 'decodePcsSync'>;
  /** The codec's maxMessageBytes: one byte more is `malformed:oversized`. */
  maxMessageBytes: number;
}

/** decodePcsSync when it can answer, else decodePcs: how the verifier calls it. */
async function decodeBoth(c: PcsCodecUnderTest['codec'], m: Buffer | null): Promise<DecodeResult<Record<string, unknown>>> {
  const before = c.decodePcsSync(m);
  const async_ = await c.decodePcs(m);
  // Undefined means "ask decodePcs" (a schema to fetch); any answer must be decodePcs's.
  if (before !== undefined) expect(before).toEqual(async_);
  const after = c.decodePcsSync(m);
  if (after !== undefined) expect(after).toEqual(async_);
  return async_;
}

const reason = (r: DecodeResult<unknown>) => (r.ok ? 'ok' : r.reason);

export function runPcsCodecConformance(name: string, make: () => Promise<PcsCodecUnderTest> | PcsCodecUnderTest): void {
  describe(`PCS codec conformance: ${name}`, () => {
    const record: Pcs = sampleRecord();
    const valid = async () => {
      const u = await make();
      return { ...u, bytes: u.codec.encodePcs(record) };
    };

    test('a record round-trips, sync and async alike', async () => {
      const { codec, bytes } = await valid();
      const out = await decodeBoth(codec, bytes);
      expect(out.ok).toBe(true);
      // The writer schema is known now: the hot path answers without a promise.
      expect(codec.decodePcsSync(bytes)).toEqual(out);
      if (out.ok) expect(out.value).toMatchObject({ pcs_id: record.pcs_id, shard_id: record.shard_id, scales: record.scales, N_j: record.N_j, ft: record.ft });
    });

    test('no bytes, too many bytes, and a wrong header are refused before any schema lookup', async () => {
      const { codec, bytes, maxMessageBytes } = await valid();
      for (const m of [null, Buffer.alloc(0)]) {
        expect(codec.decodePcsSync(m)).toEqual({ ok: false, reason: 'malformed:empty' });
        expect(reason(await codec.decodePcs(m))).toBe('malformed:empty');
      }
      const big = Buffer.concat([bytes, Buffer.alloc(maxMessageBytes + 1 - bytes.length)]);
      expect(codec.decodePcsSync(big)).toEqual({ ok: false, reason: 'malformed:oversized' });
      // Oversized is checked first: a big message with a bad magic byte is still oversized.
      expect(reason(await codec.decodePcs(Buffer.alloc(maxMessageBytes + 1, 0xff)))).toBe('malformed:oversized');
      for (const m of [Buffer.from([0]), Buffer.from([0, 0, 0, 1]), Buffer.concat([Buffer.from([1]), bytes.subarray(1)]), Buffer.from('{"pcs_id":"x"}')]) {
        expect(codec.decodePcsSync(m)).toEqual({ ok: false, reason: 'malformed:wire_magic' });
      }
    });

    test('an id no schema has is malformed:unknown_schema_id', async () => {
      const { codec, bytes } = await valid();
      const m = Buffer.from(bytes);
      m.writeInt32BE(2_147_483_000, 1);
      expect(reason(await decodeBoth(codec, m))).toBe('malformed:unknown_schema_id');
    });

    test('truncated, trailing bytes, garbage body and a lying block count each have their reason', async () => {
      const { codec, bytes } = await valid();
      expect(reason(await decodeBoth(codec, bytes.subarray(0, bytes.length - 3)))).toBe('malformed:avro_truncated');
      expect(reason(await decodeBoth(codec, Buffer.concat([bytes, Buffer.from([0])])))).toBe('malformed:avro_trailing_bytes');
      // pcs_id's length prefix says -1 (zigzag 0x01): a length no buffer holds.
      expect(reason(await decodeBoth(codec, Buffer.concat([bytes.subarray(0, 5), Buffer.from([0x01]), bytes.subarray(6)])))).toBe('malformed:avro_length');
      // The last field, key_id, is a union: branch 5 (zigzag 0x0a) does not exist.
      expect(bytes[bytes.length - 1]).toBe(0x00); // key_id null in the sample record
      expect(reason(await decodeBoth(codec, Buffer.concat([bytes.subarray(0, bytes.length - 1), Buffer.from([0x0a])])))).toBe('malformed:avro');
      // The `scales` array claims 2^27 items in a few hundred bytes: refused before allocating.
      const a = codec.encodePcs({ ...record, scales: [7] });
      const b = codec.encodePcs({ ...record, scales: [8] });
      const at = a.findIndex((x, i) => x !== b[i]); // the item; its block count (1 → 0x02) is the byte before
      expect(a[at - 1]).toBe(0x02);
      const lie = Buffer.concat([a.subarray(0, at - 1), Buffer.from([0x80, 0x80, 0x80, 0x80, 0x01]), a.subarray(at)]);
      expect(reason(await decodeBoth(codec, lie))).toBe('malformed:avro_length');
    });
  });
}
