// Building and encoding signed PCS records for tests, and decoding verdicts.
import { randomBytes } from 'node:crypto';
import type { Pcs } from '@flk/pcs';
import { sampleRecord } from '@flk/pcs/testing';
import { createWireCodec, type WireCodec } from '@flk/registry';
import { STACK } from './names.js';

/** A valid record signed with the HMAC test key; a random merkle_root makes its pcs_id unique. */
export function signedRecord(overrides: Partial<Pcs> = {}): Pcs {
  return sampleRecord({ merkle_root: randomBytes(32).toString('hex'), ...overrides });
}

/** `n` signed records, varied enough to give accepted and escalated verdicts. */
export function signedRecords(n: number): Pcs[] {
  return Array.from({ length: n }, (_, i) =>
    signedRecord({
      shard_id: `shard-${i % 7}`,
      epoch: 1 + (i % 3),
      // every 5th record reports a budget the verifier does not recompute: escalated
      ...(i % 5 === 4 ? { budget: 0.99 } : {}),
      ...(i % 11 === 10 ? { ft: { outbox_seq: i, degraded: true, fallbacks: ['x'], clock_skew_ms: 0 } } : {}),
    }),
  );
}

/** A wire codec registered for the test's topics (TopicNameStrategy subjects). */
export async function testCodec(topics: { submitted: string; verdicts: string }): Promise<WireCodec> {
  const codec = createWireCodec({ registryUrl: STACK.registryUrl, pcsSubject: `${topics.submitted}-value`, verdictSubject: `${topics.verdicts}-value` });
  await codec.init();
  return codec;
}

/** Encodes for the Avro record: optional fields as null. */
export function encodePcs(codec: WireCodec, rec: Pcs): Buffer {
  return codec.encodePcs({ sig: null, tenant_id: null, key_id: null, ...rec });
}
