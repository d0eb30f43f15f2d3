import { afterEach, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { randomInt } from 'node:crypto';
import { memoryNodes, MerkleReader, rfc6962Hasher, verifyConsistency, verifyInclusion } from './merkle.js';
import { openAuditLog } from './writer.js';
import { readAuditMerkleTree } from './transparency.js';
import { checkProofJson, consistencyProof, inclusionProof } from './proofs.js';
import { entry, readSegments, removeDir, tmpDir } from './test-support.js';

interface Vectors {
  leaves: string[];
  empty_root: string;
  roots: string[];
  inclusion: Array<{ leaf_index: number; tree_size: number; path: string[] }>;
  consistency: Array<{ first: number; second: number; path: string[] }>;
}
const v = JSON.parse(readFileSync(new URL('../vectors/rfc6962-merkle.json', import.meta.url), 'utf8')) as Vectors;
const h = rfc6962Hasher();
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

/** RFC 6962 §2.1 MTH, straight from the definition (the reference the stored-hash reader must match). */
function mth(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return h.empty();
  if (leaves.length === 1) return h.leaf(leaves[0]!);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return h.node(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

const leavesOf = (n: number) => Array.from({ length: n }, (_, i) => new TextEncoder().encode(`{"seq":${i}}`));

describe('RFC 6962 vectors', () => {
  const leaves = v.leaves.map(unhex);
  const src = memoryNodes(leaves.map((l) => h.leaf(l)));
  test('roots of every size and the empty root', () => {
    expect(hex(h.empty())).toBe(v.empty_root);
    expect(hex(new MerkleReader(src).root(0))).toBe(v.empty_root);
    for (let n = 1; n <= 8; n++) expect(hex(new MerkleReader(src).root(n))).toBe(v.roots[n - 1]);
  });
  test.each(v.inclusion)('inclusion leaf $leaf_index in $tree_size', (c) => {
    expect(new MerkleReader(src).inclusion(c.leaf_index, c.tree_size).map(hex)).toEqual(c.path);
    expect(verifyInclusion(c.leaf_index, c.tree_size, h.leaf(leaves[c.leaf_index]!), c.path.map(unhex), unhex(v.roots[c.tree_size - 1]!))).toBeNull();
  });
  test.each(v.consistency)('consistency $first -> $second', (c) => {
    expect(new MerkleReader(src).consistency(c.first, c.second).map(hex)).toEqual(c.path);
    const r1 = unhex(v.roots[c.first - 1]!);
    const r2 = unhex(v.roots[c.second - 1]!);
    expect(verifyConsistency(c.first, c.second, c.path.map(unhex), r1, r2)).toBeNull();
    if (c.path.length > 0) {
      // The corruptions transparency-dev's verifier is tested with must all fail here too.
      expect(verifyConsistency(c.first, c.second, c.path.map(unhex), r2, r1)).not.toBeNull();
      expect(verifyConsistency(c.first - 1, c.second, c.path.map(unhex), r1, r2)).not.toBeNull();
      expect(verifyConsistency(c.first, c.second * 2, c.path.map(unhex), r1, r2)).not.toBeNull();
      expect(verifyConsistency(c.first, c.second, [], r1, r2)).not.toBeNull();
      expect(verifyConsistency(c.first, c.second, [...c.path.map(unhex), r1], r1, r2)).not.toBeNull();
      expect(verifyConsistency(c.first, c.second, [r2, ...c.path.map(unhex)], r1, r2)).not.toBeNull();
    }
  });
  test('edge cases of the empty and equal trees (as transparency-dev)', () => {
    const e = h.empty();
    const r1 = unhex(v.roots[0]!);
    expect(verifyConsistency(0, 0, [], e, e)).toBeNull();
    expect(verifyConsistency(0, 1, [], e, r1)).toBeNull();
    expect(verifyConsistency(1, 1, [], r1, r1)).toBeNull();
    expect(verifyConsistency(1, 1, [], e, r1)).not.toBeNull();
    expect(verifyConsistency(1, 1, [e], r1, r1)).not.toBeNull();
    expect(verifyConsistency(0, 1, [e], e, r1)).not.toBeNull();
    expect(verifyConsistency(2, 1, [], r1, r1)).not.toBeNull();
    expect(verifyConsistency(1, 2, [], r1, unhex(v.roots[1]!))).not.toBeNull();
    expect(verifyInclusion(0, 0, e, [], e)).not.toBeNull();
    expect(verifyInclusion(0, 1, r1, [], new Uint8Array(0))).not.toBeNull();
  });
});

describe('stored-hash reader against the definition', () => {
  const N = 70;
  const leaves = leavesOf(N);
  const src = memoryNodes(leaves.map((l) => h.leaf(l)));
  test('roots, and every inclusion and consistency proof verifies, for sizes 1..70', () => {
    for (let n = 1; n <= N; n++) {
      const r = new MerkleReader(src);
      const root = r.root(n);
      expect(hex(root)).toBe(hex(mth(leaves.slice(0, n))));
      for (let i = 0; i < n; i++) expect(verifyInclusion(i, n, h.leaf(leaves[i]!), r.inclusion(i, n), root)).toBeNull();
      for (let m = 0; m <= n; m++) expect(verifyConsistency(m, n, r.consistency(m, n), r.root(m), root)).toBeNull();
    }
  });
  test('a proof costs O(log n) stored reads and hashes', () => {
    const big = memoryNodes(leavesOf(5000).map((l) => h.leaf(l)));
    const r = new MerkleReader(big);
    r.inclusion(4321, 4999);
    r.root(4999);
    expect(r.cost.reads + r.cost.hashes).toBeLessThan(4 * 13 * 2);
  });
  test('tampered proofs fail', () => {
    const r = new MerkleReader(src);
    const root = r.root(37);
    const path = r.inclusion(11, 37);
    const flipped = path.map((p, i) => (i === 2 ? Uint8Array.from(p, (b, j) => (j === 0 ? b ^ 1 : b)) : p));
    expect(verifyInclusion(11, 37, h.leaf(leaves[11]!), flipped, root)).toMatch(/different root/);
    expect(verifyInclusion(12, 37, h.leaf(leaves[11]!), path, root)).not.toBeNull();
    expect(verifyInclusion(11, 37, h.leaf(leaves[11]!), path.slice(1), root)).not.toBeNull();
    expect(verifyInclusion(37, 37, h.leaf(leaves[11]!), path, root)).toMatch(/not below/);
    const c = r.consistency(20, 37);
    expect(verifyConsistency(20, 37, c, r.root(20), root)).toBeNull();
    expect(verifyConsistency(20, 37, c, r.root(21), root)).not.toBeNull();
    expect(verifyConsistency(20, 37, c.slice(0, -1), r.root(20), root)).not.toBeNull();
    expect(verifyConsistency(21, 37, c, r.root(20), root)).not.toBeNull();
  });
  test('random pairs on a larger tree', () => {
    const M = 3000;
    const big = memoryNodes(leavesOf(M).map((l) => h.leaf(l)));
    for (let k = 0; k < 200; k++) {
      const n = randomInt(1, M + 1);
      const m = randomInt(0, n + 1);
      const i = randomInt(0, n);
      const r = new MerkleReader(big);
      expect(verifyInclusion(i, n, big.node(0, i), r.inclusion(i, n), r.root(n))).toBeNull();
      expect(verifyConsistency(m, n, r.consistency(m, n), r.root(m), r.root(n))).toBeNull();
    }
  });
});


describe('the audit directory as a Merkle tree', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map(removeDir));
  });

  test('leaves are the exact line bytes without the newline, in order across segments', async () => {
    const dir = await tmpDir();
    dirs.push(dir);
    const log = await openAuditLog({ dir, segmentMaxBytes: 2000 });
    for (let i = 0; i < 40; i++) await log.append([entry(0, i)]);
    await log.close();
    const segments = await readSegments(dir);
    expect(segments.length).toBeGreaterThan(2);
    const lines = segments.flatMap((s) => {
      const text = s.bytes.toString('latin1');
      return text.slice(0, -1).split('\n').map((l) => Buffer.from(l, 'latin1'));
    });
    expect(lines).toHaveLength(40);
    const tree = await readAuditMerkleTree(dir);
    expect(tree.size).toBe(40);
    expect(hex(new MerkleReader(tree.nodes).root(40))).toBe(hex(mth(lines)));
    const inc = inclusionProof(tree.nodes, 17, 40).proof;
    expect(inc.leaf_hash).toBe(hex(h.leaf(lines[17]!)));
    expect(inc.root_hash).toBe(hex(mth(lines)));
    expect(checkProofJson(inc)).toEqual({ ok: true, kind: 'inclusion' });
    const con = consistencyProof(tree.nodes, 13, 40).proof;
    expect(con.first_root).toBe(hex(mth(lines.slice(0, 13))));
    expect(checkProofJson(con)).toEqual({ ok: true, kind: 'consistency' });
    expect(checkProofJson({ ...con, first_root: inc.leaf_hash })).toMatchObject({ ok: false, kind: 'consistency' });
    expect(checkProofJson({ ...inc, leaf_index: 18 })).toMatchObject({ ok: false, kind: 'inclusion' });
    expect(checkProofJson({ ...inc, path: ['XY'] })).toMatchObject({ ok: false, problem: expect.stringMatching(/path/) });
    expect(checkProofJson([])).toMatchObject({ ok: false, kind: 'unknown' });
  });

  test('a torn tail is no leaf; an empty or missing dir is the empty tree', async () => {
    const dir = await tmpDir();
    dirs.push(dir);
    expect((await readAuditMerkleTree(dir)).size).toBe(0);
    const log = await openAuditLog({ dir });
    await log.append([entry(0, 0), entry(0, 1)]);
    await log.close();
    const [seg] = await readSegments(dir);
    await appendFile(`${dir}/${seg!.name}`, '{"seq":2,"torn');
    expect((await readAuditMerkleTree(dir)).size).toBe(2);
    expect((await readAuditMerkleTree(`${dir}/nope`)).size).toBe(0);
  });
});
