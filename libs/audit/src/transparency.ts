import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { segmentFirstSeq, splitLines } from './format.js';
import type { Checkpoint } from './checkpoint.js';
import { memoryNodes, MerkleReader, type MerkleHasher, type NodeSource, rfc6962Hasher } from './merkle.js';
import { listSegments } from './tail.js';

// The audit log as a transparency log, read from the outside (docs/audit.md): the leaves are the
// exact bytes of every complete audit line without its "\n", in log order across segments. This is
// the verifier's side (flk audit checkpoint/prove/find): it reads the segments once and keeps the
// subtree hashes in memory, so each proof afterwards costs O(log n) hashes.

/**
 * Every complete line, in log order across segments, to `sink` one segment at a time; returns the
 * number of lines. Bytes after the newest segment's last "\n" (a torn tail) are no line.
 */
export async function forEachAuditLine(dir: string, sink: (firstIndex: number, lines: Buffer[], segment: string) => void): Promise<number> {
  let index = 0;
  for (const name of await listSegments(dir)) {
    // Leaves follow the segments' order; a segment named out of order is verifyAuditDir's to report.
    const { lines } = splitLines(await readFile(join(dir, name)));
    sink(index, lines, name);
    index += lines.length;
  }
  return index;
}

/** Every complete line of the log, in order, one segment in memory at a time (for syncTreeFiles). */
export function* auditLinesSync(dir: string): Generator<Buffer> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const segments = names.filter((n) => segmentFirstSeq(n) !== null).sort((a, b) => segmentFirstSeq(a)! - segmentFirstSeq(b)!);
  for (const name of segments) yield* splitLines(readFileSync(join(dir, name))).lines;
}

export interface AuditMerkleTree {
  /** Number of leaves (complete audit lines). */
  readonly size: number;
  /** The stored (complete) subtree hashes, for MerkleReader / inclusionProof / consistencyProof. */
  readonly nodes: NodeSource;
}

/** Reads the audit directory and computes its Merkle tree (all levels of complete subtrees). */
export async function readAuditMerkleTree(dir: string, hasher: MerkleHasher = rfc6962Hasher()): Promise<AuditMerkleTree> {
  const leaves: Uint8Array[] = [];
  const size = await forEachAuditLine(dir, (_first, lines) => {
    for (const l of lines) leaves.push(hasher.leaf(l));
  });
  return { size, nodes: memoryNodes(leaves, hasher) };
}

export type CheckpointMatch =
  | { ok: true; size: number; checkpointSize: number }
  | { ok: false; reason: 'truncated' | 'rewritten'; size: number; checkpointSize: number; message: string };

/**
 * Does the log (its tree) extend a checkpoint's tree? Truncated: fewer entries than the checkpoint
 * counts. Rewritten: its first checkpoint-size entries hash to another root. Signature not
 * checked here (verifyCheckpointNote).
 */
export function matchCheckpoint(tree: AuditMerkleTree, checkpoint: Pick<Checkpoint, 'size' | 'root'>): CheckpointMatch {
  const base = { size: tree.size, checkpointSize: checkpoint.size };
  if (tree.size < checkpoint.size) {
    return { ok: false, reason: 'truncated', ...base, message: `the log holds ${tree.size} entries, the checkpoint covers ${checkpoint.size}: entries ${tree.size}..${checkpoint.size - 1} are missing` };
  }
  const root = new MerkleReader(tree.nodes).root(checkpoint.size);
  if (Buffer.compare(Buffer.from(root), Buffer.from(checkpoint.root)) !== 0) {
    return { ok: false, reason: 'rewritten', ...base, message: `the first ${checkpoint.size} entries hash to ${Buffer.from(root).toString('hex')}, the checkpoint says ${Buffer.from(checkpoint.root).toString('hex')}` };
  }
  return { ok: true, ...base };
}
