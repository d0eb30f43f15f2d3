// §2.5–2.6: signers (agent side) and key rings (verifier side) for HMAC-SHA256 and Ed25519.
// Both sign the 32-byte digest of the canonical payload, never the payload itself.
import { ed25519 } from '@noble/curves/ed25519.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { base64Decode, base64Encode } from './base64.js';
import { signingDigest } from './canonical.js';
import { FlkPcsError, invalidArgument, PCS_ERROR_CODES } from './errors.js';
import type { SignedFields } from './types.js';

export type SignAlg = 'none' | 'hmac' | 'ed25519';
export const SIGN_ALGS: readonly SignAlg[] = ['none', 'hmac', 'ed25519'];

export interface Signer {
  readonly alg: 'hmac' | 'ed25519';
  /** Base64 (standard, padded) signature of a 32-byte digest. */
  sign(digest: Uint8Array): string;
}

export interface KeyRing {
  readonly alg: SignAlg;
  /**
   * True when any key of the ring accepts `sigB64` for `digest`. Never throws: a missing, badly
   * encoded or wrong-length signature is simply false. For alg 'none' it is always true (no check).
   */
  verify(digest: Uint8Array, sigB64: string | undefined): boolean;
  /**
   * Optional faster SHA-256 of a canonical payload's UTF-8 bytes (e.g. node:crypto in the
   * verifier). When present, decide() uses it instead of @noble's for the signing digest; it must
   * return exactly `signingDigest`'s bytes (SHA-256, §2.4).
   */
  readonly sha256?: (payload: string) => Uint8Array;
}

const HMAC_SIG_BYTES = 32;
const ED25519_SIG_BYTES = 64;
const ED25519_KEY_BYTES = 32;

function invalidKey(message: string): FlkPcsError {
  // Messages describe the problem, never the key: callers may log them.
  return new FlkPcsError(PCS_ERROR_CODES.INVALID_KEY, message);
}

function hmacKeyBytes(key: unknown): Uint8Array {
  if (typeof key !== 'string' || key.length === 0) throw invalidKey('HMAC key must be a non-empty string');
  return utf8ToBytes(key);
}

function decodeKey(b64: unknown, what: string): Uint8Array {
  const bytes = typeof b64 === 'string' ? base64Decode(b64) : null;
  if (bytes === null) throw invalidKey(`${what} is not valid standard padded base64`);
  if (bytes.length !== ED25519_KEY_BYTES) throw invalidKey(`${what} must decode to ${ED25519_KEY_BYTES} bytes, got ${bytes.length}`);
  return bytes;
}

function checkDigest(digest: Uint8Array): void {
  if (!(digest instanceof Uint8Array) || digest.length !== 32) throw invalidArgument('sign: digest must be 32 bytes (SHA-256)');
}

/** HMAC-SHA256 signer; `key` is used as its UTF-8 bytes (PCS_HMAC_KEY). */
export function createHmacSigner(key: string): Signer {
  const k = hmacKeyBytes(key);
  return {
    alg: 'hmac',
    sign(digest) {
      checkDigest(digest);
      return base64Encode(hmac(sha256, k, digest));
    },
  };
}

/** Ed25519 signer from the base64 32-byte seed (PCS_ED25519_PRIV_B64). */
export function createEd25519Signer(privB64: string): Signer {
  const seed = decodeKey(privB64, 'Ed25519 private key');
  return {
    alg: 'ed25519',
    sign(digest) {
      checkDigest(digest);
      return base64Encode(ed25519.sign(digest, seed));
    },
  };
}

/** A fresh Ed25519 key pair as base64 (seed, public key). Uses the platform CSPRNG. */
export function generateEd25519KeyPair(): { privB64: string; pubB64: string } {
  const { secretKey, publicKey } = ed25519.keygen();
  return { privB64: base64Encode(secretKey), pubB64: base64Encode(publicKey) };
}

/** The base64 public key of a base64 seed (what to put in PCS_ED25519_PUB_B64). */
export function ed25519PublicKeyOf(privB64: string): string {
  return base64Encode(ed25519.getPublicKey(decodeKey(privB64, 'Ed25519 private key')));
}

/** Compares two byte strings in time that depends only on their lengths. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/**
 * The verifier's key ring: every key listed is accepted (rotation, §2.6). Keys are checked here,
 * once: an empty HMAC key, or an Ed25519 public key that is not 32 bytes of canonical base64
 * encoding a canonical, non-small-order curve point, is a FlkPcsError (PCS_INVALID_KEY).
 */
export function createKeyRing(opts: { alg: SignAlg; hmacKeys?: string[]; ed25519PublicKeysB64?: string[] }): KeyRing {
  const alg = opts?.alg;
  if (alg === 'none') return { alg, verify: () => true };
  if (alg === 'hmac') {
    const keys = opts.hmacKeys ?? [];
    if (!Array.isArray(keys) || keys.length === 0) throw invalidKey('an hmac key ring needs at least one key');
    const keyBytes = keys.map(hmacKeyBytes);
    return {
      alg,
      verify(digest, sigB64) {
        const sig = decodeSig(digest, sigB64, HMAC_SIG_BYTES);
        if (sig === null) return false;
        // Every key is tried (no early exit), so timing does not reveal which key matched.
        let ok = false;
        for (const k of keyBytes) ok = constantTimeEqual(hmac(sha256, k, digest), sig) || ok;
        return ok;
      },
    };
  }
  if (alg === 'ed25519') {
    const pubs = opts.ed25519PublicKeysB64 ?? [];
    if (!Array.isArray(pubs) || pubs.length === 0) throw invalidKey('an ed25519 key ring needs at least one public key');
    const keys = pubs.map((b64, i) => checkEd25519PublicKey(b64, `Ed25519 public key #${i + 1}`));
    return {
      alg,
      verify(digest, sigB64) {
        const sig = decodeSig(digest, sigB64, ED25519_SIG_BYTES);
        if (sig === null) return false;
        let ok = false;
        for (const pub of keys) {
          try {
            // RFC 8032 strict (zip215: false): non-canonical R or A, and S ≥ L, are rejected.
            if (ed25519.verify(sig, digest, pub, { zip215: false })) ok = true;
          } catch {
            /* malformed input is a failed verification, not an error */
          }
        }
        return ok;
      },
    };
  }
  throw invalidArgument(`unknown signature algorithm '${String(alg)}' (expected none|hmac|ed25519)`);
}

/**
 * The 32 bytes of an Ed25519 public key that strict verification can use: canonical padded base64,
 * a canonical encoding of a curve point, not of small order (strict verification rejects every
 * signature under such a key, so it is refused up front). Throws FlkPcsError (PCS_INVALID_KEY).
 */
export function checkEd25519PublicKey(b64: unknown, what: string): Uint8Array {
  const bytes = decodeKey(b64, what);
  let point;
  try {
    point = ed25519.Point.fromBytes(bytes, false); // strict: canonical encoding, on the curve
  } catch {
    throw invalidKey(`${what} is not a valid curve point`);
  }
  if (point.isSmallOrder()) throw invalidKey(`${what} has small order`);
  return bytes;
}

/** HMAC key bytes (§2.5: the UTF-8 bytes of the configured string, untrimmed); empty is refused. */
export { hmacKeyBytes };

/** The bytes of a signature of exactly `length` bytes in canonical padded base64, else null. */
export function decodeSignature(sigB64: unknown, length: number): Uint8Array | null {
  if (typeof sigB64 !== 'string' || sigB64.length > 4 * length) return null;
  const sig = base64Decode(sigB64);
  return sig !== null && sig.length === length ? sig : null;
}

export const SIGNATURE_BYTES = { hmac: HMAC_SIG_BYTES, ed25519: ED25519_SIG_BYTES } as const;

/**
 * The signature primitives a key ring verifies with, as a port: @noble here (pure, portable), OpenSSL
 * through node:crypto in the verifier (faster). Each factory is called once per key, at ring build
 * time, so an implementation may precompute per key (e.g. HMAC pads). Both must be strict RFC 8032
 * for Ed25519 and constant time for HMAC.
 */
export interface SignatureCrypto {
  hmacVerifier(key: Uint8Array): (digest: Uint8Array, sig: Uint8Array) => boolean;
  ed25519Verifier(publicKey: Uint8Array): (digest: Uint8Array, sig: Uint8Array) => boolean;
}

export const nobleSignatureCrypto: SignatureCrypto = {
  hmacVerifier: (key) => (digest, sig) => constantTimeEqual(hmac(sha256, key, digest), sig),
  ed25519Verifier: (pub) => (digest, sig) => {
    try {
      return ed25519.verify(sig, digest, pub, { zip215: false });
    } catch {
      return false; // malformed input is a failed verification, not an error
    }
  },
};

function decodeSig(digest: Uint8Array, sigB64: string | undefined, length: number): Uint8Array | null {
  return digest instanceof Uint8Array ? decodeSignature(sigB64, length) : null;
}

/** The record with `sig` set to the signer's signature of its signing digest (§2). */
export function signPcs<T extends SignedFields>(rec: T, signer: Signer): T & { sig: string } {
  return { ...rec, sig: signer.sign(signingDigest(rec)) };
}
