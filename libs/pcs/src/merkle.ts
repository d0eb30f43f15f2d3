// Merkle tree hash of RFC 6962 §2.1 (Certificate Transparency): domain-separated leaves and nodes
// (so a leaf can never be passed off as a node), split at the largest power of two below n.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

const LEAF = new Uint8Array([0x00]);
const NODE = new Uint8Array([0x01]);

function leafHash(data: Uint8Array): Uint8Array {
  return sha256.create().update(LEAF).update(data).digest();
}

function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256.create().update(NODE).update(left).update(right).digest();
}

function mth(chunks: readonly Uint8Array[], from: number, to: number): Uint8Array {
  const n = to - from;
  if (n === 1) return leafHash(chunks[from] as Uint8Array);
  let k = 1;
  while (k * 2 < n) k *= 2; // largest power of two strictly below n
  return nodeHash(mth(chunks, from, from + k), mth(chunks, from + k, to));
}

/** Lowercase hex Merkle root of the chunks, in order. Empty list: SHA-256 of the empty string. */
export function merkleRoot(chunks: readonly Uint8Array[]): string {
  if (chunks.length === 0) return bytesToHex(sha256(new Uint8Array(0)));
  return bytesToHex(mth(chunks, 0, chunks.length));
}
