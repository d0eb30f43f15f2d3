import { MerkleReader, type NodeSource, type ProofCost, rfc6962Hasher, verifyConsistency, verifyInclusion, type MerkleHasher } from './merkle.js';

// The JSON forms of proofs (flk audit prove, the sink's /audit/proof/* and docs/audit.md), hashes
// in lowercase hex. Pure over a NodeSource.

export interface InclusionProofJson {
  leaf_index: number;
  tree_size: number;
  leaf_hash: string;
  root_hash: string;
  path: string[];
}

export interface ConsistencyProofJson {
  first: number;
  second: number;
  first_root: string;
  second_root: string;
  path: string[];
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const HEX32 = /^[0-9a-f]{64}$/;

export function inclusionProof(source: NodeSource, index: number, size: number, hasher: MerkleHasher = rfc6962Hasher()): { proof: InclusionProofJson; cost: ProofCost } {
  const r = new MerkleReader(source, hasher);
  const path = r.inclusion(index, size);
  const root = r.root(size);
  r.cost.reads++;
  const leaf = source.node(0, index);
  return { proof: { leaf_index: index, tree_size: size, leaf_hash: hex(leaf), root_hash: hex(root), path: path.map(hex) }, cost: r.cost };
}

export function consistencyProof(source: NodeSource, first: number, second: number, hasher: MerkleHasher = rfc6962Hasher()): { proof: ConsistencyProofJson; cost: ProofCost } {
  const r = new MerkleReader(source, hasher);
  const path = r.consistency(first, second);
  const firstRoot = r.root(first);
  const secondRoot = r.root(second);
  return { proof: { first, second, first_root: hex(firstRoot), second_root: hex(secondRoot), path: path.map(hex) }, cost: r.cost };
}

export type ProofCheck =
  | { ok: true; kind: 'inclusion' | 'consistency' }
  | { ok: false; kind: 'inclusion' | 'consistency' | 'unknown'; problem: string };

const isSize = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isHexList = (v: unknown): v is string[] => Array.isArray(v) && v.every((h) => typeof h === 'string' && HEX32.test(h));
const bytes = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));

/** Checks a proof object in either JSON form (its own roots; compare them with a checkpoint's separately). */
export function checkProofJson(value: unknown, hasher: MerkleHasher = rfc6962Hasher()): ProofCheck {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, kind: 'unknown', problem: 'not a JSON object' };
  const v = value as Record<string, unknown>;
  if ('leaf_index' in v) {
    const bad = (problem: string): ProofCheck => ({ ok: false, kind: 'inclusion', problem });
    if (!isSize(v.leaf_index) || !isSize(v.tree_size)) return bad('leaf_index and tree_size must be non-negative integers');
    if (typeof v.leaf_hash !== 'string' || !HEX32.test(v.leaf_hash) || typeof v.root_hash !== 'string' || !HEX32.test(v.root_hash)) return bad('leaf_hash and root_hash must be 64 lowercase hex digits');
    if (!isHexList(v.path)) return bad('path must be a list of 64-hex-digit hashes');
    const problem = verifyInclusion(v.leaf_index, v.tree_size, bytes(v.leaf_hash), v.path.map(bytes), bytes(v.root_hash), hasher);
    return problem === null ? { ok: true, kind: 'inclusion' } : bad(problem);
  }
  if ('first' in v) {
    const bad = (problem: string): ProofCheck => ({ ok: false, kind: 'consistency', problem });
    if (!isSize(v.first) || !isSize(v.second)) return bad('first and second must be non-negative integers');
    if (typeof v.first_root !== 'string' || !HEX32.test(v.first_root) || typeof v.second_root !== 'string' || !HEX32.test(v.second_root)) return bad('first_root and second_root must be 64 lowercase hex digits');
    if (!isHexList(v.path)) return bad('path must be a list of 64-hex-digit hashes');
    const problem = verifyConsistency(v.first, v.second, v.path.map(bytes), bytes(v.first_root), bytes(v.second_root), hasher);
    return problem === null ? { ok: true, kind: 'consistency' } : bad(problem);
  }
  return { ok: false, kind: 'unknown', problem: 'neither an inclusion proof (leaf_index) nor a consistency proof (first)' };
}
