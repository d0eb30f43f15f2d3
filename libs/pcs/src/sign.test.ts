import { describe, expect, test } from '@jest/globals';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { base64Decode } from './base64.js';
import { signingDigest } from './canonical.js';
import { FlkPcsError, PCS_ERROR_CODES } from './errors.js';
import {
  createEd25519Signer,
  createHmacSigner,
  createKeyRing,
  ed25519PublicKeyOf,
  generateEd25519KeyPair,
  signPcs,
  type KeyRing,
} from './sign.js';
import type { SignedFields } from './types.js';

interface Keys {
  hmac_key: string;
  hmac_key_2: string;
  ed25519_priv_b64: string;
  ed25519_pub_b64: string;
  ed25519_priv_2_b64: string;
  ed25519_pub_2_b64: string;
  ed25519_other_pub_b64: string;
}
const load = (name: string) => JSON.parse(readFileSync(new URL(`../../../test/vectors/${name}`, import.meta.url), 'utf8'));
const sigVectors = load('signatures.json') as {
  keys: Keys;
  digest_hex: string;
  cases: Array<{ name: string; alg: 'hmac' | 'ed25519'; sig: string | null; valid: boolean }>;
  bad_ed25519_public_keys: Array<{ name: string; pub_b64: string }>;
};
const canonical = load('canonical.json') as { keys: Keys; cases: Array<{ name: string; fields: SignedFields; digest_hex: string; hmac_sig: string; ed25519_sig: string }> };
const K = sigVectors.keys;

const rings: Record<'hmac' | 'ed25519', KeyRing> = {
  hmac: createKeyRing({ alg: 'hmac', hmacKeys: [K.hmac_key, K.hmac_key_2] }),
  ed25519: createKeyRing({ alg: 'ed25519', ed25519PublicKeysB64: [K.ed25519_pub_b64, K.ed25519_pub_2_b64] }),
};
const hmacSigner = createHmacSigner(K.hmac_key);
const edSigner = createEd25519Signer(K.ed25519_priv_b64);

describe('signatures (§2.5): golden vectors', () => {
  test.each(canonical.cases.map((c) => [c.name, c] as const))('signs %s like Python hmac / cryptography', (_n, c) => {
    const digest = signingDigest(c.fields);
    expect(hmacSigner.sign(digest)).toBe(c.hmac_sig);
    expect(edSigner.sign(digest)).toBe(c.ed25519_sig);
    expect(rings.hmac.verify(digest, c.hmac_sig)).toBe(true);
    expect(rings.ed25519.verify(digest, c.ed25519_sig)).toBe(true);
  });

  test.each(sigVectors.cases.map((c) => [c.name, c] as const))('verify: %s', (_n, c) => {
    const digest = hexToBytes(sigVectors.digest_hex);
    expect(rings[c.alg].verify(digest, c.sig ?? undefined)).toBe(c.valid);
  });

  test.each(sigVectors.bad_ed25519_public_keys.map((c) => [c.name, c] as const))('refuses public key: %s', (_n, c) => {
    expect(() => createKeyRing({ alg: 'ed25519', ed25519PublicKeysB64: [c.pub_b64] })).toThrow(
      expect.objectContaining({ code: PCS_ERROR_CODES.INVALID_KEY }),
    );
  });

  test('the public keys of the test seeds', () => {
    expect(ed25519PublicKeyOf(K.ed25519_priv_b64)).toBe(K.ed25519_pub_b64);
    expect(ed25519PublicKeyOf(K.ed25519_priv_2_b64)).toBe(K.ed25519_pub_2_b64);
  });
});

const validFields = fc.record({
  pcs_id: fc.stringMatching(/^[0-9a-f]{64}$/),
  merkle_root: fc.stringMatching(/^[0-9a-f]{64}$/),
  epoch: fc.maxSafeInteger(),
  shard_id: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  D_hat: fc.double({ min: -1, max: 4, noNaN: true }),
  coh_star: fc.double({ min: 0, max: 1.05, noNaN: true }),
  r: fc.double({ min: 0, max: 1.05, noNaN: true }),
  budget: fc.double({ min: 0, max: 1, noNaN: true }),
});

/** A different value for one signed field, different after rounding too. */
function mutate(rec: SignedFields, key: keyof SignedFields): SignedFields {
  const v = rec[key];
  if (typeof v === 'string') return { ...rec, [key]: `${v}x` };
  if (key === 'epoch') return { ...rec, epoch: v === Number.MAX_SAFE_INTEGER ? v - 1 : v + 1 };
  return { ...rec, [key]: v + 0.001 };
}

describe('signatures: properties', () => {
  const keys: Array<keyof SignedFields> = ['pcs_id', 'merkle_root', 'epoch', 'shard_id', 'D_hat', 'coh_star', 'r', 'budget'];

  test.each([
    ['hmac', hmacSigner],
    ['ed25519', edSigner],
  ] as const)('%s: sign → verify round-trips; changing any signed field breaks it', (alg, signer) => {
    fc.assert(
      fc.property(validFields, fc.constantFrom(...keys), (rec, key) => {
        const signed = signPcs(rec, signer);
        expect(rings[alg].verify(signingDigest(signed), signed.sig)).toBe(true);
        const changed = mutate(signed, key);
        expect(rings[alg].verify(signingDigest(changed), signed.sig)).toBe(false);
      }),
      { numRuns: alg === 'ed25519' ? 60 : 300 },
    );
  });

  test('an unsigned-field change or key order does not matter', () => {
    fc.assert(
      fc.property(validFields, (rec) => {
        const signed = signPcs(rec, hmacSigner);
        const reordered = Object.fromEntries(Object.entries({ ...signed, attempt: 9 }).reverse()) as typeof signed;
        expect(rings.hmac.verify(signingDigest(reordered), reordered.sig)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  test('HMAC is over the digest with the key as UTF-8', () => {
    const digest = new Uint8Array(32).fill(7);
    const key = 'clé-ü';
    const want = Buffer.from(hmac(sha256, utf8ToBytes(key), digest)).toString('base64');
    expect(createHmacSigner(key).sign(digest)).toBe(want);
  });

  test('verify never throws on junk', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.oneof(fc.string(), fc.constant(undefined), fc.base64String()), (digest, sig) => {
        expect(typeof rings.hmac.verify(digest, sig)).toBe('boolean');
        expect(typeof rings.ed25519.verify(digest, sig)).toBe('boolean');
      }),
      { numRuns: 300 },
    );
    expect(rings.ed25519.verify(null as unknown as Uint8Array, 'AAAA')).toBe(false);
    expect(rings.hmac.verify(new Uint8Array(32), 'A'.repeat(100_000))).toBe(false);
  });

  test('generated key pairs work', () => {
    const { privB64, pubB64 } = generateEd25519KeyPair();
    expect(base64Decode(privB64)).toHaveLength(32);
    expect(ed25519PublicKeyOf(privB64)).toBe(pubB64);
    const digest = new Uint8Array(32).fill(1);
    const ring = createKeyRing({ alg: 'ed25519', ed25519PublicKeysB64: [pubB64] });
    expect(ring.verify(digest, createEd25519Signer(privB64).sign(digest))).toBe(true);
  });

  test("the 'none' ring accepts anything (decide does not consult it)", () => {
    expect(createKeyRing({ alg: 'none' }).verify(new Uint8Array(32), undefined)).toBe(true);
  });
});

describe('bad key material is a FlkPcsError', () => {
  const invalidKey = expect.objectContaining({ code: PCS_ERROR_CODES.INVALID_KEY, retriable: false });
  test.each([
    ['empty HMAC key', () => createHmacSigner('')],
    ['empty HMAC ring', () => createKeyRing({ alg: 'hmac', hmacKeys: [] })],
    ['HMAC ring with an empty key', () => createKeyRing({ alg: 'hmac', hmacKeys: ['k', ''] })],
    ['Ed25519 seed not base64', () => createEd25519Signer('nope!')],
    ['Ed25519 seed of 31 bytes', () => createEd25519Signer(Buffer.alloc(31).toString('base64'))],
    ['Ed25519 seed of 64 bytes', () => createEd25519Signer(Buffer.alloc(64).toString('base64'))],
    ['empty Ed25519 ring', () => createKeyRing({ alg: 'ed25519', ed25519PublicKeysB64: [] })],
    ['missing Ed25519 ring', () => createKeyRing({ alg: 'ed25519' })],
  ])('%s', (_n, make) => {
    expect(make).toThrow(FlkPcsError);
    expect(make).toThrow(invalidKey);
  });

  test('an unknown algorithm is an invalid argument', () => {
    expect(() => createKeyRing({ alg: 'rsa' as 'none' })).toThrow(expect.objectContaining({ code: PCS_ERROR_CODES.INVALID_ARGUMENT }));
  });

  test('error messages never contain the key', () => {
    const secret = 'c2VjcmV0LXNlY3JldC1zZWNyZXQ=';
    try {
      createEd25519Signer(secret);
    } catch (err) {
      expect((err as Error).message).not.toContain(secret);
    }
  });

  test('signing something that is not a digest is a programmer error', () => {
    expect(() => hmacSigner.sign(new Uint8Array(31))).toThrow(expect.objectContaining({ code: PCS_ERROR_CODES.INVALID_ARGUMENT }));
  });
});
