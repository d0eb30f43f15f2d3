// Writes our proofs over a real audit log (written by @flk/audit's writer) as JSON for the Go
// peer check (peer_test.go), which verifies them with github.com/transparency-dev/merkle and
// golang.org/x/mod/sumdb/note. Usage: tsx --conditions=@flk/source gen.ts DIR > proofs.json
// DIR is created/filled by this script; `flk audit checkpoint DIR` then runs on the same log.
import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  consistencyProof,
  formatCheckpoint,
  generateNoteKey,
  inclusionProof,
  listSegments,
  MerkleReader,
  openAuditLog,
  parseSignerKey,
  openAuditTree,
  signNote,
} from '@flk/audit';

const SMALL = 300; // every size 1..SMALL
const LARGE = 5000; // random pairs on a log of this size
const dir = process.argv[2];
if (!dir) throw new Error('usage: gen.ts DIR');

const log = await openAuditLog({ dir, segmentMaxBytes: 64 * 1024 });
for (let i = 0; i < LARGE; i += 50) {
  await log.append(Array.from({ length: 50 }, (_, j) => ({
    topic: 'pcs.verdicts', partition: (i + j) % 3, offset: String(i + j), key: `k${i + j}`,
    verdict: { pcs_id: `p${i + j}`, status: (i + j) % 5 === 0 ? 'rejected' : 'accepted' }, error: null,
  })));
}
await log.close();

// The leaves as the Go side must see them: the raw segment bytes split at "\n", read here
// without @flk/audit so the leaf definition is checked too.
const raw: string[] = [];
for (const name of await listSegments(dir)) {
  const text = (await readFile(join(dir, name))).toString('latin1');
  for (const line of text.split('\n').slice(0, -1)) raw.push(Buffer.from(line, 'latin1').toString('base64'));
}

// The proofs come from the subtree hashes the writer stored as it appended (tree/level-NN.hashes),
// as the sink's HTTP API and `flk audit prove` serve them.
const tree = await openAuditTree(dir);
if (tree.source !== 'stored') throw new Error(`gen.ts: expected the writer's stored subtree hashes, got ${tree.source}`);
const roots: string[] = [];
const reader = new MerkleReader(tree.nodes);
for (let n = 0; n <= tree.size; n++) roots.push(Buffer.from(reader.root(n)).toString('hex'));

const inclusion = [];
const consistency = [];
for (let n = 1; n <= SMALL; n++) {
  for (let i = 0; i < n; i++) inclusion.push(inclusionProof(tree.nodes, i, n).proof);
  for (let m = 1; m <= n; m++) consistency.push(consistencyProof(tree.nodes, m, n).proof);
}
for (let k = 0; k < 500; k++) {
  const n = randomInt(1, tree.size + 1);
  inclusion.push(inclusionProof(tree.nodes, randomInt(0, n), n).proof);
  consistency.push(consistencyProof(tree.nodes, randomInt(1, n + 1), n).proof);
}

const key = generateNoteKey('flk.test/peer-audit');
const checkpoint = signNote(formatCheckpoint({ origin: 'flk.test/peer-audit', size: tree.size, root: reader.root(tree.size) }), parseSignerKey(key.signer));
process.stdout.write(JSON.stringify({ leaves: raw, roots, inclusion, consistency, checkpoint, verifier_key: key.verifier, signer_key: key.signer }));
