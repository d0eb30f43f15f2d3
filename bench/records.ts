// Signed, Avro-encoded input records for the bench: unique pcs_ids, varied like the integration
// tests' records (every 5th escalated on budget, every 11th degraded). Ed25519 records are signed
// with node:crypto (deterministic, byte-identical to @noble's signature) because @noble signs at
// ~1 k/s on this machine and the bench needs hundreds of thousands of records.
import { createPrivateKey, randomBytes, sign as nodeSign } from 'node:crypto';
import { base64Decode, type Pcs, type Signer } from '@flk/pcs';
import { sampleRecord, TEST_KEYS, testSigner } from '@flk/pcs/testing';
import type { WireCodec } from '@flk/registry';

export type Alg = 'hmac' | 'ed25519';

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function nodeEd25519Signer(privB64: string): Signer {
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, Buffer.from(base64Decode(privB64)!)]), format: 'der', type: 'pkcs8' });
  return { alg: 'ed25519', sign: (digest) => nodeSign(null, digest, key).toString('base64') };
}

export function benchSigner(alg: Alg): Signer {
  return alg === 'hmac' ? testSigner('hmac') : nodeEd25519Signer(TEST_KEYS.ed25519PrivB64);
}

export function makeRecord(i: number, signer: Signer, sentAt?: string): Pcs {
  return sampleRecord(
    {
      merkle_root: randomBytes(32).toString('hex'),
      shard_id: `shard-${i % 7}`,
      epoch: 1 + (i % 3),
      ...(sentAt ? { sent_at: sentAt } : {}),
      ...(i % 5 === 4 ? { budget: 0.99 } : {}),
      ...(i % 11 === 10 ? { ft: { outbox_seq: i, degraded: true, fallbacks: ['x'], clock_skew_ms: 0 } } : {}),
    },
    { signer },
  );
}

export interface EncodedRecord {
  key: string;
  value: Buffer;
}

export function encodeRecords(codec: WireCodec, n: number, alg: Alg): EncodedRecord[] {
  const signer = benchSigner(alg);
  const out: EncodedRecord[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const r = makeRecord(i, signer);
    out[i] = { key: r.pcs_id, value: codec.encodePcs({ sig: null, tenant_id: null, key_id: null, ...r }) };
  }
  return out;
}
