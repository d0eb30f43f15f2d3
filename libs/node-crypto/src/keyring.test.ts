import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { ed25519 } from '@noble/curves/ed25519.js';
import { base64Encode, canonicalPayload, createKeyRing, decide, DEFAULT_PARAMS, PCS_ERROR_CODES, signingDigest, type SignedFields } from '@flk/pcs';
import { sampleRecord, testDecideConfig, TEST_KEYS, testSigner } from '@flk/pcs/testing';
import { createNodeKeyRing, isCanonicalScalar } from './keyring.js';

const load = (name: string) => JSON.parse(readFileSync(new URL(`../../../test/vectors/${name}`, import.meta.url), 'utf8'));
const vectors = load('signatures.json') as {
  keys: Record<string, string>;
  digest_hex: string;
  cases: Array<{ name: string; alg: 'hmac' | 'ed25519'; sig: string | null; valid: boolean }>;
  bad_ed25519_public_keys: Array<{ name: string; pub_b64: string }>;
};
const canonical = load('canonical.json') as { cases: Array<{ name: string; fields: SignedFields; hmac_sig: string; ed25519_sig: string }> };
const K = vectors.keys;
const digest = Uint8Array.from(Buffer.from(vectors.digest_hex, 'hex'));
const ringOpts = {
  hmac: { alg: 'hmac' as const, hmacKeys: [K.hmac_key!, K.hmac_key_2!] },
  ed25519: { alg: 'ed25519' as const, ed25519PublicKeysB64: [K.ed25519_pub_b64!, K.ed25519_pub_2_b64!] },
};
const nodeRings = { hmac: createNodeKeyRing(ringOpts.hmac), ed25519: createNodeKeyRing(ringOpts.ed25519) };
const coreRings = { hmac: createKeyRing(ringOpts.hmac), ed25519: createKeyRing(ringOpts.ed25519) };

describe('node:crypto key ring: the contract vectors', () => {
  test.each(vectors.cases.map((c) => [c.name, c] as const))('verify: %s', (_n, c) => {
    expect(nodeRings[c.alg].verify(digest, c.sig ?? undefined)).toBe(c.valid);
  });

  test.each(canonical.cases.map((c) => [c.name, c] as const))('accepts the canonical vector %s', (_n, c) => {
    const d = signingDigest(c.fields);
    expect(nodeRings.hmac.verify(d, c.hmac_sig)).toBe(true);
    expect(nodeRings.ed25519.verify(d, c.ed25519_sig)).toBe(true);
  });

  test.each(vectors.bad_ed25519_public_keys.map((c) => [c.name, c] as const))('refuses public key: %s', (_n, c) => {
    expect(() => createNodeKeyRing({ alg: 'ed25519', ed25519PublicKeysB64: [c.pub_b64] })).toThrow(expect.objectContaining({ code: PCS_ERROR_CODES.INVALID_KEY }));
  });

  test.each(canonical.cases.map((c) => [c.name, c] as const))('sha256 of the canonical payload = signingDigest: %s', (_n, c) => {
    expect(Buffer.from(nodeRings.hmac.sha256!(canonicalPayload(c.fields)))).toEqual(Buffer.from(signingDigest(c.fields)));
  });

  test('decide() with the node ring gives the core ring\'s verdicts (canonical vectors, tampered too)', () => {
    const meta = { decidedAt: '2026-01-01T00:00:00Z', source: null };
    for (const alg of ['hmac', 'ed25519'] as const) {
      const signer = alg === 'hmac' ? testSigner('hmac') : testSigner('ed25519');
      const ringOf = (r: 'node' | 'core') => (r === 'node' ? createNodeKeyRing : createKeyRing)({ alg, hmacKeys: [TEST_KEYS.hmacKey], ed25519PublicKeysB64: [TEST_KEYS.ed25519PubB64] });
      for (let i = 0; i < 20; i++) {
        const rec = sampleRecord({ epoch: i + 1, shard_id: `s-${i}`, ...(i % 3 === 0 ? { budget: 0.5 } : {}) }, { signer });
        const tampered = i % 2 ? { ...rec, r: rec.r + 0.01 } : rec;
        expect(decide(tampered, testDecideConfig(ringOf('node'), DEFAULT_PARAMS), null, meta)).toEqual(decide(tampered, testDecideConfig(ringOf('core'), DEFAULT_PARAMS), null, meta));
      }
    }
  });

  test('none accepts everything, like the core ring', () => {
    expect(createNodeKeyRing({ alg: 'none' }).verify(digest, undefined)).toBe(true);
  });
});

describe('node:crypto key ring: agrees with the @noble ring on tampered signatures', () => {
  const seed = Uint8Array.from(Buffer.from(K.ed25519_priv_b64!, 'base64'));
  const L = 2n ** 252n + 27742317777372353535851937790883648493n;
  const P = 2n ** 255n - 19n;
  const le = (n: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
  const fromLe = (b: Uint8Array) => b.reduce((acc, x, i) => acc + (BigInt(x) << BigInt(8 * i)), 0n);

  test('S + L, S = L, S = 2^256 − 1 are refused', () => {
    const sig = ed25519.sign(digest, seed);
    const s = fromLe(sig.slice(32));
    for (const bad of [s + L, L, 2n ** 253n - 1n]) {
      const t = Uint8Array.from(sig);
      t.set(le(bad), 32);
      expect(isCanonicalScalar(t)).toBe(false);
      expect(nodeRings.ed25519.verify(digest, base64Encode(t))).toBe(false);
      expect(coreRings.ed25519.verify(digest, base64Encode(t))).toBe(false);
    }
    expect(isCanonicalScalar(sig)).toBe(true);
  });

  test('a non-canonical R encoding (y + p) is refused', () => {
    // y = 1 (the identity) encodes canonically as 1 and non-canonically as p + 1.
    const t = Uint8Array.from(ed25519.sign(digest, seed));
    t.set(le(P + 1n), 0);
    expect(nodeRings.ed25519.verify(digest, base64Encode(t))).toBe(false);
    expect(coreRings.ed25519.verify(digest, base64Encode(t))).toBe(false);
  });

  test('every single-bit flip of a valid signature: same answer as the core ring', () => {
    const sig = ed25519.sign(digest, seed);
    for (let bit = 0; bit < 512; bit += 7) {
      const t = Uint8Array.from(sig);
      t[bit >> 3]! ^= 1 << (bit & 7);
      const b64 = base64Encode(t);
      expect(nodeRings.ed25519.verify(digest, b64)).toBe(coreRings.ed25519.verify(digest, b64));
    }
  });

  test('honest signatures over random digests: both accept; HMAC too', () => {
    for (let i = 0; i < 50; i++) {
      const d = Uint8Array.from({ length: 32 }, () => Math.floor(Math.random() * 256));
      const b64 = base64Encode(ed25519.sign(d, seed));
      expect(nodeRings.ed25519.verify(d, b64)).toBe(true);
      expect(coreRings.ed25519.verify(d, b64)).toBe(true);
    }
  });
});
