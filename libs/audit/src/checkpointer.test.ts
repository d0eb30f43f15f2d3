import { describe, expect, test } from '@jest/globals';
import { createCheckpointer, generateNoteKey, memoryNodes, MerkleReader, parseSignerKey, parseVerifierKey, rfc6962Hasher, verifyCheckpointNote, type SignedCheckpoint } from './index.js';

// The checkpointer's triggers over an in-memory tree: every N entries, the interval, coalescing
// while a publish is in flight, retry after a failed publish, and the last word on flush.
const hasher = rfc6962Hasher();
const keys = generateNoteKey('flk.test/cp');
const key = parseSignerKey(keys.signer);

function growingTree() {
  const leaves: Uint8Array[] = [];
  let nodes = memoryNodes(leaves);
  return {
    get size() {
      return leaves.length;
    },
    node: (level: number, index: number) => nodes.node(level, index),
    add(n: number) {
      for (let i = 0; i < n; i++) leaves.push(hasher.leaf(Buffer.from(`line ${leaves.length}`)));
      nodes = memoryNodes(leaves);
    },
  };
}

describe('createCheckpointer', () => {
  test('signs every `every` entries; notes verify and carry the root of their size; flush covers the rest', async () => {
    const tree = growingTree();
    const got: SignedCheckpoint[] = [];
    const cp = createCheckpointer({ tree, key, origin: 'o', every: 10, intervalMs: 60_000, publish: async (c) => void got.push(c) });
    for (let i = 0; i < 25; i++) {
      tree.add(1);
      cp.appended();
      await Promise.resolve();
    }
    await cp.flush();
    cp.stop();
    expect(got.map((c) => c.size)).toEqual([10, 20, 25]);
    for (const c of got) {
      const v = verifyCheckpointNote(c.note, parseVerifierKey(keys.verifier), 'o');
      expect(v.ok && v.checkpoint.size).toBe(c.size);
      expect(Buffer.from(c.root)).toEqual(Buffer.from(new MerkleReader(tree).root(c.size)));
    }
    expect(cp.latest()?.size).toBe(25);
  });

  test('while a publish is in flight, further triggers coalesce into one checkpoint of the newest tree', async () => {
    const tree = growingTree();
    const sizes: number[] = [];
    let release: () => void = () => undefined;
    const cp = createCheckpointer({ tree, key, origin: 'o', every: 1, intervalMs: 60_000, publish: (c) => { sizes.push(c.size); return new Promise<void>((r) => (release = r)); } });
    tree.add(1);
    cp.appended();
    for (let i = 0; i < 5; i++) {
      tree.add(1);
      cp.appended();
    }
    expect(sizes).toEqual([1]);
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(sizes).toEqual([1, 6]);
    release();
    await cp.flush();
    cp.stop();
    expect(cp.latest()?.size).toBe(6);
  });

  test('a failed publish is reported, not covered, and retried with the newest tree by the interval', async () => {
    const tree = growingTree();
    let fail = true;
    const events: unknown[] = [];
    const sizes: number[] = [];
    const cp = createCheckpointer({
      tree, key, origin: 'o', every: 3, intervalMs: 100,
      publish: async (c) => {
        sizes.push(c.size);
        if (fail) throw new Error('broker down');
      },
      onEvent: (e) => events.push(e),
    });
    tree.add(3);
    cp.appended();
    await new Promise((r) => setTimeout(r, 0));
    expect(events).toEqual([{ type: 'checkpoint_publish_failed', size: 3, message: 'broker down' }]);
    expect(cp.latest()).toBeUndefined();
    fail = false;
    tree.add(1);
    await new Promise((r) => setTimeout(r, 250));
    cp.stop();
    expect(sizes).toEqual([3, 4]);
    expect(cp.latest()?.size).toBe(4);
  });
});
