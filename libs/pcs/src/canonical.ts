// §2 and §7.2: the canonical signing payloads (v0.1: eight fields; v0.2: the whole record), their
// digest, and the pcs_id (§1). The record's `version` member chooses the payload.
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { invalidArgument } from './errors.js';
import { sha256Hex } from './hash.js';
import { round9 } from './round.js';
import { isWellFormedUtf16 } from './text.js';
import { PCS_VERSION_V02, type Pcs, type SignedFields } from './types.js';

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
  if ((rec as { version?: unknown }).version === PCS_VERSION_V02) return canonicalPayloadV02(rec as Pcs);
  return canonicalPayloadV01(rec);
}

/** §2.1–2.3: the eight signed fields of v0.1. */
export function canonicalPayloadV01(rec: SignedFields): string {
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

/**
 * §7.2: RFC 8785 JSON of every member except `sig`, null members left out at any depth, every
 * number rounded per §2.2 (integers unchanged, −0 → 0), keys sorted by UTF-16 code units at every
 * level (JS's default string sort), arrays in order. Meant for a record that passed v0.2 structure
 * (validatePcs); throws FlkPcsError (INVALID_ARGUMENT) on what has no canonical form (a non-finite
 * number, a lone surrogate, a null array element, a non-JSON value).
 */
export function canonicalPayloadV02(rec: Pcs): string {
  if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) throw invalidArgument('canonicalPayload: record must be an object');
  return canonicalObject(rec as unknown as Record<string, unknown>, 'sig', 0);
}

const MAX_CANONICAL_DEPTH = 32;

function canonicalObject(o: Record<string, unknown>, skip: string | null, depth: number): string {
  const keys = Object.keys(o).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    if (key === skip) continue;
    const value = o[key];
    if (value === null || value === undefined) continue;
    if (!isWellFormedUtf16(key)) throw invalidArgument('canonicalPayload: lone surrogate in a member name');
    out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalValue(value, depth + 1)}`;
    first = false;
  }
  return out + '}';
}

function canonicalValue(v: unknown, depth: number): string {
  if (depth > MAX_CANONICAL_DEPTH) throw invalidArgument('canonicalPayload: nested too deep');
  switch (typeof v) {
    case 'number':
      if (!Number.isFinite(v)) throw invalidArgument('canonicalPayload: non-finite number');
      return JSON.stringify(round9(v));
    case 'string':
      if (!isWellFormedUtf16(v)) throw invalidArgument('canonicalPayload: lone surrogate in a string');
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      if (v === null) throw invalidArgument('canonicalPayload: null array element');
      if (!Array.isArray(v)) return canonicalObject(v as Record<string, unknown>, null, depth);
      let out = '[';
      for (let i = 0; i < v.length; i++) out += (i > 0 ? ',' : '') + canonicalValue(v[i], depth + 1);
      return out + ']';
    }
    default:
      throw invalidArgument(`canonicalPayload: a ${typeof v} has no JSON form`);
  }
}

/** SHA-256 of the UTF-8 bytes of the canonical payload (§2.4, §7.2 for v0.2): what is signed. */
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
