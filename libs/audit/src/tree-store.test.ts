import { describe, expect, test } from '@jest/globals';
import { readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  auditLinesSync,
  consistencyProof,
  inclusionProof,
  memoryNodes,
  MerkleReader,
  openAuditLog,
  openStoredTree,
  readAuditMerkleTree,
  rfc6962Hasher,
  syncTreeFiles,
  TREE_DIR,
  type AuditEvent,
} from './index.js';
import { entry, freshDirs } from './test-support.js';

const freshDir = freshDirs();

const hasher = rfc6962Hasher();
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

async function writeLog(dir: string, count: number, batch = 5, onEvent?: (e: AuditEvent) => void): Promise<void> {
  const log = await openAuditLog({ dir, segmentMaxBytes: 4096, ...(onEvent ? { onEvent } : {}) });
  const all = Array.from({ length: count }, (_, i) => entry(i % 2, Math.floor(i / 2), i));
  for (let i = 0; i < all.length; i += batch) await log.append(all.slice(i, i + batch));
  await log.close();
}

describe('stored subtree hashes (tree/level-NN.hashes)', () => {
  test('the writer stores every complete subtree as it appends: roots and proofs equal the in-memory tree for every size', async () => {
    const dir = await freshDir();
    const log = await openAuditLog({ dir, segmentMaxBytes: 4096 });
    for (let i = 0; i < 70; i++) {
      await log.append([entry(0, i, i)]);
      expect(log.tree.size).toBe(i + 1);
      const mem = memoryNodes([...auditLinesSync(dir)].map((l) => hasher.leaf(l)));
      expect(hex(log.tree.root())).toBe(hex(new MerkleReader(mem).root(i + 1)));
    }
    const mem = (await readAuditMerkleTree(dir)).nodes;
    for (let size = 1; size <= 70; size++) {
      expect(hex(log.tree.root(size))).toBe(hex(new MerkleReader(mem).root(size)));
      for (const index of [0, Math.floor(size / 3), size - 1]) expect(inclusionProof(log.tree, index, size).proof).toEqual(inclusionProof(mem, index, size).proof);
      for (const first of [1, Math.floor(size / 2), size]) expect(consistencyProof(log.tree, first, size).proof).toEqual(consistencyProof(mem, first, size).proof);
    }
    await log.close();
    const stored = openStoredTree(dir)!;
    expect(stored.size).toBe(70);
    expect(inclusionProof(stored, 33, 70).proof).toEqual(inclusionProof(mem, 33, 70).proof);
    stored.close();
  });

  test('reopening checks the stored hashes against the log: nothing to repair when they match', async () => {
    const dir = await freshDir();
    await writeLog(dir, 40);
    const events: AuditEvent[] = [];
    const log = await openAuditLog({ dir, onEvent: (e) => events.push(e) });
    expect(events.filter((e) => e.type === 'tree_repaired')).toEqual([]);
    await log.close();
  });

  test.each([
    ['deleted', async (t: string) => rm(t, { recursive: true })],
    ['cut short mid-hash', async (t: string) => truncate(join(t, 'level-00.hashes'), 17 * 32 + 5)],
    ['a flipped byte in an upper level', async (t: string) => {
      const p = join(t, 'level-02.hashes');
      const b = await readFile(p);
      b[3 * 32 + 7]! ^= 0x40;
      await writeFile(p, b);
    }],
    ['longer than the log', async (t: string) => {
      const p = join(t, 'level-00.hashes');
      await writeFile(p, Buffer.concat([await readFile(p), Buffer.alloc(64, 7)]));
    }],
  ])('stored hashes %s are repaired on open, from the right leaf', async (_what, damage) => {
    const dir = await freshDir();
    await writeLog(dir, 41);
    const good = openStoredTree(dir)!;
    const want = hex(new MerkleReader(good).root(41));
    good.close();
    await damage(join(dir, TREE_DIR));
    const events: AuditEvent[] = [];
    const log = await openAuditLog({ dir, onEvent: (e) => events.push(e) });
    const repaired = events.find((e) => e.type === 'tree_repaired');
    expect(repaired).toMatchObject({ type: 'tree_repaired', size: 41 });
    if (_what === 'cut short mid-hash') expect(repaired).toMatchObject({ from: 17 });
    if (_what === 'a flipped byte in an upper level') expect(repaired).toMatchObject({ from: 12 });
    if (_what === 'longer than the log') expect(repaired).toMatchObject({ from: 41 });
    expect(hex(log.tree.root())).toBe(want);
    await log.append([entry(5, 0)]);
    await log.close();
    const { store, result } = syncTreeFiles(dir, auditLinesSync(dir));
    expect(result).toEqual({ size: 42, repairedFrom: null, matched: expect.any(Number) });
    store.close();
  });
});
