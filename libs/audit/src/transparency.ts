import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { splitLines } from './format.js';
import { memoryNodes, type MerkleHasher, type NodeSource, rfc6962Hasher } from './merkle.js';
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
