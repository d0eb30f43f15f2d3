import crypto, { createHash } from 'node:crypto';

// RFC 6962 / RFC 9162 Merkle tree hashing over the audit lines (docs/audit.md). Pure: the hash
// function is injected (Node's SHA-256 by default), subtree hashes come from a `NodeSource`, and
// every function returns values. Leaves are indexed from 0 in log order across all segments; a
// leaf's input is the exact bytes of one audit line without its trailing "\n".
//
//   leaf hash  = SHA-256(0x00 || line)
//   node hash  = SHA-256(0x01 || left || right)
//   MTH({})    = SHA-256("")
//
// Stored subtree hashes are addressed as in C2SP tlog-tiles: (level, index) is the hash of the
// complete subtree over leaves [index * 2^level, (index + 1) * 2^level). Only complete subtrees
// are stored; a root, an inclusion proof or a consistency proof reads O(log n) of them and hashes
// O(log n) times for the incomplete right edge.

export type Sha256 = (data: Uint8Array) => Uint8Array;

// crypto.hash (Node >= 20.12) is one-shot and about twice as fast as createHash for short inputs:
// the sink's start-up check hashes every line and subtree of the log.
export const nodeSha256: Sha256 =
  typeof crypto.hash === 'function' ? (data) => crypto.hash('sha256', data, 'buffer') : (data) => createHash('sha256').update(data).digest();

export const HASH_SIZE = 32;
const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export interface MerkleHasher {
  leaf(data: Uint8Array): Uint8Array;
  node(left: Uint8Array, right: Uint8Array): Uint8Array;
  empty(): Uint8Array;
}

export function rfc6962Hasher(sha256: Sha256 = nodeSha256): MerkleHasher {
  return {
    leaf: (data) => sha256(concatBytes(LEAF_PREFIX, data)),
    node: (l, r) => sha256(concatBytes(NODE_PREFIX, l, r)),
    empty: () => sha256(new Uint8Array(0)),
  };
}

/** Hash of the complete subtree at (level, index); the caller guarantees it exists. */
export interface NodeSource {
  node(level: number, index: number): Uint8Array;
}

/** What one computation cost: stored hashes read, hashes computed. */
export interface ProofCost {
  reads: number;
  hashes: number;
}

/** Largest power of two strictly smaller than n (n >= 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPow2(n: number): boolean {
  // Bit operators are 32-bit in JS; sizes go up to 2^53.
  return n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

/**
 * Reads the tree through `source`, counting the work. `start` of every subtree asked for is a
 * multiple of the largest power of two not above its size (RFC 6962's splits guarantee it).
 */
export class MerkleReader {
  readonly cost: ProofCost = { reads: 0, hashes: 0 };
  constructor(private readonly source: NodeSource, private readonly hasher: MerkleHasher = rfc6962Hasher()) {}

  /** MTH of leaves [start, start + size). */
  subtree(start: number, size: number): Uint8Array {
    if (size === 0) {
      this.cost.hashes++;
      return this.hasher.empty();
    }
    if (isPow2(size) && start % size === 0) {
      this.cost.reads++;
      return this.source.node(Math.round(Math.log2(size)), start / size);
    }
    const k = splitPoint(size);
    const l = this.subtree(start, k);
    const r = this.subtree(start + k, size - k);
    this.cost.hashes++;
    return this.hasher.node(l, r);
  }

  /** Root hash of the tree of the first `size` leaves. */
  root(size: number): Uint8Array {
    return this.subtree(0, size);
  }

  /** RFC 6962 PATH(index, D[size]), bottom-up. */
  inclusion(index: number, size: number): Uint8Array[] {
    if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) {
      throw new RangeError(`inclusion proof: need 0 <= index < size, got index ${index}, size ${size}`);
    }
    const path: Uint8Array[] = [];
    const walk = (m: number, start: number, n: number): void => {
      if (n <= 1) return;
      const k = splitPoint(n);
      if (m < k) {
        walk(m, start, k);
        path.push(this.subtree(start + k, n - k));
      } else {
        walk(m - k, start + k, n - k);
        path.push(this.subtree(start, k));
      }
    };
    walk(index, 0, size);
    return path;
  }

  /** RFC 6962 PROOF(first, D[second]). */
  consistency(first: number, second: number): Uint8Array[] {
    if (!(Number.isSafeInteger(first) && Number.isSafeInteger(second) && first >= 0 && first <= second)) {
      throw new RangeError(`consistency proof: need 0 <= first <= second, got first ${first}, second ${second}`);
    }
    if (first === 0 || first === second) return [];
    const path: Uint8Array[] = [];
    const sub = (m: number, start: number, n: number, whole: boolean): void => {
      if (m === n) {
        if (!whole) path.push(this.subtree(start, n));
        return;
      }
      const k = splitPoint(n);
      if (m <= k) {
        sub(m, start, k, whole);
        path.push(this.subtree(start + k, n - k));
      } else {
        sub(m - k, start + k, n - k, false);
        path.push(this.subtree(start, k));
      }
    };
    sub(first, 0, second, true);
    return path;
  }
}

/** An in-memory NodeSource over leaf hashes (tests, fixture generation, small logs). */
export function memoryNodes(leafHashes: readonly Uint8Array[], hasher: MerkleHasher = rfc6962Hasher()): NodeSource {
  const levels: Uint8Array[][] = [leafHashes.slice()];
  for (;;) {
    const below = levels[levels.length - 1]!;
    if (below.length < 2) break;
    const up: Uint8Array[] = [];
    for (let i = 0; i + 1 < below.length; i += 2) up.push(hasher.node(below[i]!, below[i + 1]!));
    levels.push(up);
  }
  return {
    node(level, index) {
      const h = levels[level]?.[index];
      if (h === undefined) throw new RangeError(`no complete subtree at level ${level}, index ${index}`);
      return h;
    },
  };
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

const odd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);

/** Why a proof does not verify (null when it does). */
export type ProofProblem = string | null;

/** RFC 9162 §2.1.3.2: does `path` prove leaf `index` (hash `leafHash`) in the tree of `size` with `root`? */
export function verifyInclusion(
  index: number,
  size: number,
  leafHash: Uint8Array,
  path: readonly Uint8Array[],
  root: Uint8Array,
  hasher: MerkleHasher = rfc6962Hasher(),
): ProofProblem {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) return `index ${index} is not below size ${size}`;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of path) {
    if (sn === 0) return 'path is longer than the tree is deep';
    if (odd(fn) || fn === sn) {
      r = hasher.node(p, r);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = hasher.node(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) return 'path is shorter than the tree is deep';
  return equalBytes(r, root) ? null : 'path leads to a different root';
}

/** RFC 9162 §2.1.4.2: does `path` prove the tree of `first` (root1) is a prefix of the tree of `second` (root2)? */
export function verifyConsistency(
  first: number,
  second: number,
  path: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
  hasher: MerkleHasher = rfc6962Hasher(),
): ProofProblem {
  if (!(Number.isSafeInteger(first) && Number.isSafeInteger(second) && first >= 0 && first <= second)) return `need 0 <= first <= second, got ${first}, ${second}`;
  if (first === second) {
    if (path.length > 0) return 'equal sizes need an empty path';
    return equalBytes(root1, root2) ? null : 'equal sizes with different roots';
  }
  if (first === 0) return path.length === 0 ? null : 'the empty tree needs an empty path';
  if (path.length === 0) return 'empty path';
  const full = isPow2(first) ? [root1, ...path] : [...path];
  let fn = first - 1;
  let sn = second - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = full[0]!;
  let sr = full[0]!;
  for (const c of full.slice(1)) {
    if (sn === 0) return 'path is longer than needed';
    if (odd(fn) || fn === sn) {
      fr = hasher.node(c, fr);
      sr = hasher.node(c, sr);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = hasher.node(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) return 'path is shorter than needed';
  if (!equalBytes(fr, root1)) return 'path does not lead to the first root';
  if (!equalBytes(sr, root2)) return 'path does not lead to the second root';
  return null;
}
