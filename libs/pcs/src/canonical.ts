// §2: the canonical signing payload, its digest, and the pcs_id (§1).
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { invalidArgument } from './errors.js';
import { sha256Hex } from './hash.js';
import { round9 } from './round.js';
import { isWellFormedUtf16 } from './text.js';
import type { SignedFields } from './types.js';

/**
 * The signed keys in RFC 8785 order (UTF-16 code unit order: 'D' sorts before the lowercase
 * letters). Fixed here rather than sorted at run time: the set is part of the contract.
 */
export const SIGNED_KEYS = ['D_hat', 'budget', 'coh_star', 'epoch', 'merkle_root', 'pcs_id', 'r', 'shard_id'] as const;
const NUMBER_KEYS = new Set<string>(['D_hat', 'budget', 'coh_star', 'epoch', 'r']);

/**
 * RFC 8785 JSON of exactly the eight signed fields: numbers rounded per §2.2 and printed in
 * ECMAScript Number::toString form (which is what JSON.stringify emits for a finite number),
 * strings escaped as JSON.stringify does. Extra properties of `rec` are ignored, so the payload
 * does not depend on the input's key order or on unsigned fields.
 * Throws FlkPcsError (INVALID_ARGUMENT) on a non-finite number, a non-string string field or a
 * string with a lone surrogate: such a record has no canonical form (validation rejects it first).
 */
export function canonicalPayload(rec: SignedFields): string {
  let out = '{';
  for (let i = 0; i < SIGNED_KEYS.length; i++) {
    const key = SIGNED_KEYS[i] as (typeof SIGNED_KEYS)[number];
    const value: unknown = (rec as unknown as Record<string, unknown>)[key];
    if (i > 0) out += ',';
    out += `"${key}":`;
    if (NUMBER_KEYS.has(key)) {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidArgument(`canonicalPayload: ${key} must be a finite number`);
      out += JSON.stringify(round9(value));
    } else {
      if (typeof value !== 'string') throw invalidArgument(`canonicalPayload: ${key} must be a string`);
      if (!isWellFormedUtf16(value)) throw invalidArgument(`canonicalPayload: ${key} contains a lone surrogate`);
      out += JSON.stringify(value);
    }
  }
  return out + '}';
}

/** SHA-256 of the UTF-8 bytes of the canonical payload (§2.4): what is signed. */
export function signingDigest(rec: SignedFields): Uint8Array {
  return sha256(utf8ToBytes(canonicalPayload(rec)));
}

/**
 * §1: lowercase hex SHA-256 of `merkle_root|epoch|shard_id`, epoch in plain decimal. The epoch
 * must be a safe integer: beyond 2^53 − 1 (or for 1e21 and up) String() would not be plain decimal.
 */
export function computePcsId(merkle_root: string, epoch: number, shard_id: string): string {
  if (typeof merkle_root !== 'string' || typeof shard_id !== 'string') throw invalidArgument('computePcsId: merkle_root and shard_id must be strings');
  if (!isWellFormedUtf16(merkle_root) || !isWellFormedUtf16(shard_id)) throw invalidArgument('computePcsId: lone surrogate in merkle_root or shard_id');
  if (!Number.isSafeInteger(epoch)) throw invalidArgument('computePcsId: epoch must be an integer within ±(2^53 − 1)');
  return sha256Hex(`${merkle_root}|${epoch + 0}|${shard_id}`);
}
