// The key ring on node:crypto (OpenSSL), the verifier's (and the bench's): same contract as @flk/pcs createKeyRing
// (§2.5–2.6, strict RFC 8032), much faster: Ed25519 verification ×12 and HMAC-SHA256 ×1.6 in the
// measured bench run (523 → 6 431/s, 60.8 k → 97.1 k/s; docs/benchmarks.md, "What changed for
// performance"). @flk/pcs keeps @noble for signing and for any consumer without node:crypto;
// this ring is built once at start-up and used by decide().
//
// Strictness, so the contract's rule holds whatever OpenSSL version Node links:
// - keys are validated by the core's createKeyRing first (canonical encoding, on the curve, not
//   small order), and the same FlkPcsError is thrown for a bad one;
// - signatures are decoded by the core's strict base64 decoder, exact length;
// - S ≥ L is rejected here, explicitly (OpenSSL also does, but we do not depend on it);
// - R: OpenSSL checks the cofactorless equation by encoding [S]B − [k]A and comparing the bytes
//   with R, so a non-canonical or off-curve R never matches. Cofactorless acceptance implies the
//   cofactored equation @noble checks (RFC 8032 §5.1.7 allows either), so this ring accepts a
//   subset of what the @noble ring accepts, and the two agree on every honest signature and on
//   every vector in test/vectors (keyring.test.ts).
import { createHash, createPublicKey, timingSafeEqual, verify as nodeVerify } from 'node:crypto';
import { base64Decode, createKeyRing, decodeSignature, type KeyRing, type SignAlg, type SignatureCrypto } from '@flk/pcs';

const HMAC_SIG_BYTES = 32;
const ED25519_SIG_BYTES = 64;
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
// L = 2^252 + 27742317777372353535851937790883648493, little-endian.
const L_LE = Buffer.from('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', 'hex');

/** S (the last 32 bytes of an Ed25519 signature, little-endian) < L. */
export function isCanonicalScalar(sig: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const s = sig[32 + i]!;
    const l = L_LE[i]!;
    if (s < l) return true;
    if (s > l) return false;
  }
  return false; // S = L
}

/** SHA-256 of the payload's UTF-8 bytes with OpenSSL (~5× @noble's): decide()'s signing digest. */
export const nodeSha256 = (payload: string): Uint8Array => createHash('sha256').update(payload, 'utf8').digest();
const sha256 = nodeSha256;

const SHA256_BLOCK = 64;
/**
 * HMAC-SHA256 (RFC 2104) with the key's inner and outer pads hashed once, at ring build time: each
 * verification then copies two prepared hash states (hash.copy()) instead of re-keying, which is
 * what createHmac does on every call.
 */
function hmacWithPads(key: Uint8Array): (message: Uint8Array) => Buffer {
  const k = Buffer.alloc(SHA256_BLOCK);
  (key.length > SHA256_BLOCK ? createHash('sha256').update(key).digest() : Buffer.from(key)).copy(k);
  const ipad = Buffer.alloc(SHA256_BLOCK);
  const opad = Buffer.alloc(SHA256_BLOCK);
  for (let i = 0; i < SHA256_BLOCK; i++) {
    ipad[i] = k[i]! ^ 0x36;
    opad[i] = k[i]! ^ 0x5c;
  }
  const inner = createHash('sha256').update(ipad);
  const outer = createHash('sha256').update(opad);
  return (message) => outer.copy().update(inner.copy().update(message).digest()).digest();
}

/** The v0.2 ring's primitives on OpenSSL (@flk/pcs SignatureCrypto): same strictness as the v0.1 ring below. */
export const nodeSignatureCrypto: SignatureCrypto = {
  hmacVerifier(key) {
    const mac = hmacWithPads(key);
    return (digest, sig) => sig.length === HMAC_SIG_BYTES && timingSafeEqual(mac(digest), sig);
  },
  ed25519Verifier(pub) {
    const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, Buffer.from(pub)]), format: 'der', type: 'spki' });
    return (digest, sig) => {
      if (sig.length !== ED25519_SIG_BYTES || !isCanonicalScalar(sig)) return false;
      try {
        return nodeVerify(null, digest, key, sig);
      } catch {
        return false; // malformed input is a failed verification, not an error
      }
    };
  },
};

function decodeSig(digest: Uint8Array, sigB64: string | undefined, length: number): Uint8Array | null {
  return digest instanceof Uint8Array ? decodeSignature(sigB64, length) : null;
}

export function createNodeKeyRing(opts: { alg: SignAlg; hmacKeys?: string[]; ed25519PublicKeysB64?: string[] }): KeyRing {
  const core = createKeyRing(opts); // validates every key (throws FlkPcsError PCS_INVALID_KEY)
  if (core.alg === 'hmac') {
    // The same per-key verifiers as the v0.2 ring (precomputed pads).
    const keys = (opts.hmacKeys ?? []).map((k) => nodeSignatureCrypto.hmacVerifier(Buffer.from(k, 'utf8')));
    return {
      alg: 'hmac',
      sha256,
      verify(digest, sigB64) {
        const sig = decodeSig(digest, sigB64, HMAC_SIG_BYTES);
        if (sig === null) return false;
        // Every key is tried (no early exit), so timing does not reveal which key matched.
        let ok = false;
        for (const check of keys) ok = check(digest, sig) || ok;
        return ok;
      },
    };
  }
  if (core.alg === 'ed25519') {
    const keys = (opts.ed25519PublicKeysB64 ?? []).map((b64) => nodeSignatureCrypto.ed25519Verifier(base64Decode(b64)!));
    return {
      alg: 'ed25519',
      sha256,
      verify(digest, sigB64) {
        const sig = decodeSig(digest, sigB64, ED25519_SIG_BYTES);
        // Public keys are not secret: stop at the first key that accepts.
        return sig !== null && keys.some((check) => check(digest, sig));
      },
    };
  }
  return core;
}
