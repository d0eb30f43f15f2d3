import { afterEach, describe, expect, test } from '@jest/globals';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { generateNoteKey, openAuditLog, parseVerifierKey, verifyCheckpointNote } from '@flk/audit';
import { runCli } from './test-io.js';

// flk audit checkpoint / prove / verify-proof / find over real audit directories written by
// @flk/audit's writer; expected hashes come from the RFC 6962 definition computed here.
const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const leafHash = (line: Buffer) => sha(Buffer.of(0), line);
function mth(lines: Buffer[]): Buffer {
  if (lines.length === 0) return sha();
  if (lines.length === 1) return leafHash(lines[0]!);
  let k = 1;
  while (k * 2 < lines.length) k *= 2;
  return sha(Buffer.of(1), mth(lines.slice(0, k)), mth(lines.slice(k)));
}

describe('flk audit checkpoint / prove / verify-proof / find', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  async function auditDir(lines: number, segmentMaxBytes?: number): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'flk-cli-audit-'));
    dirs.push(dir);
    const log = await openAuditLog({ dir, ...(segmentMaxBytes ? { segmentMaxBytes } : {}) });
    for (let i = 0; i < lines; i++) {
      await log.append([{ topic: 'pcs.verdicts', partition: 0, offset: String(i), key: `k${i}`, verdict: { pcs_id: `p${i % 7}`, status: 'accepted' }, error: null }]);
    }
    await log.close();
    return dir;
  }

  async function logLines(dir: string): Promise<Buffer[]> {
    const names = (await readdir(dir)).filter((n) => n.endsWith('.jsonl')).sort();
    const out: Buffer[] = [];
    for (const n of names) {
      const b = await readFile(join(dir, n));
      let s = 0;
      for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, s)) {
        out.push(b.subarray(s, i));
        s = i + 1;
      }
    }
    return out;
  }

  test('checkpoint: a signed note over the tree that Go-format keys verify', async () => {
    const dir = await auditDir(20, 1500);
    const { signer, verifier } = generateNoteKey('flk.test/audit');
    const r = await runCli(['audit', 'checkpoint', dir], { env: { AUDIT_CHECKPOINT_KEY: signer } });
    expect(r.code).toBe(0);
    const lines = await logLines(dir);
    expect(lines).toHaveLength(20);
    const v = verifyCheckpointNote(r.stdout, parseVerifierKey(verifier), 'flk.test/audit');
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.checkpoint.size).toBe(20);
    expect(Buffer.from(v.checkpoint.root).toString('hex')).toBe(mth(lines).toString('hex'));
    expect(r.stdout).not.toContain(signer.split('+').slice(4).join('+'));
    const keyFile = join(dir, '..', `${dir.split('/').pop()}.key`);
    await writeFile(keyFile, `${signer}\n`);
    try {
      const f = await runCli(['audit', 'checkpoint', dir, '--origin', 'other.origin'], { env: { AUDIT_CHECKPOINT_KEY_FILE: keyFile } });
      expect(f.code).toBe(0);
      expect(f.stdout.split('\n')[0]).toBe('other.origin');
    } finally {
      await rm(keyFile, { force: true });
    }
  });

  test('checkpoint without a key or with a bad one: exit 2, the key never echoed', async () => {
    const dir = await auditDir(1);
    const none = await runCli(['audit', 'checkpoint', dir], { env: {} });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('AUDIT_CHECKPOINT_KEY');
    const { signer } = generateNoteKey('n');
    const bad = signer.replace(/\+[0-9a-f]{8}\+/, '+00000000+');
    const r = await runCli(['audit', 'checkpoint', dir], { env: { AUDIT_CHECKPOINT_KEY: bad } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/AUDIT_CHECKPOINT_KEY: .*key hash/);
    expect(r.stderr).not.toContain(bad.split('+').slice(4).join('+'));
  });

  test('prove --index: the issue JSON, hashes as RFC 6962 defines them, and verify-proof accepts it', async () => {
    const dir = await auditDir(13);
    const lines = await logLines(dir);
    const r = await runCli(['audit', 'prove', dir, '--index', '5', '--size', '11']);
    expect(r.code).toBe(0);
    const p = JSON.parse(r.lines[0]!);
    expect(Object.keys(p)).toEqual(['leaf_index', 'tree_size', 'leaf_hash', 'root_hash', 'path']);
    expect(p).toMatchObject({ leaf_index: 5, tree_size: 11, leaf_hash: leafHash(lines[5]!).toString('hex'), root_hash: mth(lines.slice(0, 11)).toString('hex') });
    expect(p.path).toHaveLength(4);
    const stats = await runCli(['audit', 'prove', dir, '--index', '5', '--size', '11', '--stats']);
    expect(stats.stdout).toBe(r.stdout);
    const cost = JSON.parse(stats.errors[0]!);
    expect(cost).toMatchObject({ log_size: 13 });
    expect(cost.hashes + cost.stored_reads).toBeGreaterThan(0);
    expect(cost.hashes + cost.stored_reads).toBeLessThanOrEqual(4 * 2 * 4);
    const whole = JSON.parse((await runCli(['audit', 'prove', dir, '--index', '12'])).lines[0]!);
    expect(whole).toMatchObject({ tree_size: 13, root_hash: mth(lines).toString('hex') });
    const ok = await runCli(['audit', 'verify-proof', '-'], { stdin: r.stdout });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.lines[0]!)).toEqual({ file: '<stdin>', ok: true, kind: 'inclusion' });
    const tampered = JSON.stringify({ ...p, leaf_index: 4 });
    const bad = await runCli(['audit', 'verify-proof', '-'], { stdin: tampered });
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.lines[0]!)).toMatchObject({ ok: false, kind: 'inclusion' });
  });

  test('prove reads the stored subtree hashes (no rescan); missing ones are rebuilt, or built in memory while a writer holds the log', async () => {
    const dir = await auditDir(21, 1024);
    const lines = await logLines(dir);
    const run = async () => {
      const r = await runCli(['audit', 'prove', dir, '--index', '9', '--stats']);
      expect(JSON.parse(r.lines[0]!)).toMatchObject({ leaf_index: 9, tree_size: 21, root_hash: mth(lines).toString('hex') });
      return JSON.parse(r.errors[0]!).tree as string;
    };
    expect(await run()).toBe('stored');
    await rm(join(dir, 'tree'), { recursive: true });
    expect(await run()).toBe('rebuilt');
    expect(await run()).toBe('stored');
    // Stored hashes that do not end at the log's last line (here: a wrong last leaf) are not used.
    const level0 = join(dir, 'tree', 'level-00.hashes');
    const hashes = await readFile(level0);
    hashes[20 * 32]! ^= 1;
    await writeFile(level0, hashes);
    const log = await openAuditLog({ dir }); // a live writer (it repairs them on open: damage them again)
    try {
      await writeFile(level0, hashes);
      expect(await run()).toBe('scanned');
    } finally {
      await log.close();
    }
    expect(await run()).toBe('rebuilt'); // no writer now: repaired in place
    expect(await run()).toBe('stored');
  });

  test('prove --from --to: a consistency proof that verify-proof accepts, and rejects when edited', async () => {
    const dir = await auditDir(13);
    const lines = await logLines(dir);
    const r = await runCli(['audit', 'prove', dir, '--from', '6', '--to', '13']);
    expect(r.code).toBe(0);
    const p = JSON.parse(r.lines[0]!);
    expect(Object.keys(p)).toEqual(['first', 'second', 'first_root', 'second_root', 'path']);
    expect(p).toMatchObject({ first: 6, second: 13, first_root: mth(lines.slice(0, 6)).toString('hex'), second_root: mth(lines).toString('hex') });
    expect(JSON.parse((await runCli(['audit', 'verify-proof', '-'], { stdin: r.stdout })).lines[0]!)).toMatchObject({ ok: true, kind: 'consistency' });
    const edited = { ...p, path: [p.path[1], p.path[0], ...p.path.slice(2)] };
    const bad = await runCli(['audit', 'verify-proof', '-'], { stdin: JSON.stringify(edited) });
    expect(bad.code).toBe(1);
    expect((await runCli(['audit', 'verify-proof', '-'], { stdin: 'not json' })).code).toBe(1);
  });

  test('sizes and indices outside the log: exit 1 naming them; bad flags: exit 2', async () => {
    const dir = await auditDir(4);
    const big = await runCli(['audit', 'prove', dir, '--index', '4']);
    expect(big.code).toBe(1);
    expect(big.errors[0]).toMatch(/--index 4 is not below the tree size 4/);
    expect((await runCli(['audit', 'prove', dir, '--index', '0', '--size', '5'])).errors[0]).toMatch(/larger than the log \(4 entries\)/);
    expect((await runCli(['audit', 'prove', dir, '--from', '3', '--to', '2'])).code).toBe(1);
    expect((await runCli(['audit', 'prove', dir, '--from', '1', '--to', '9'])).code).toBe(1);
    expect((await runCli(['audit', 'prove', '/nonexistent/flk-audit', '--index', '0'])).errors).toEqual(['flk: /nonexistent/flk-audit: no such directory']);
    for (const args of [['--index', 'x'], ['--index', '1', '--from', '1', '--to', '2'], ['--from', '1'], []]) {
      expect((await runCli(['audit', 'prove', dir, ...args])).code).toBe(2);
    }
  });

  test('find --pcs-id: every entry of the PCS with its leaf index', async () => {
    const dir = await auditDir(16);
    const r = await runCli(['audit', 'find', dir, '--pcs-id', 'p2']);
    expect(r.code).toBe(0);
    const found = r.lines.map((l) => JSON.parse(l));
    expect(found.map((f) => f.leaf_index)).toEqual([2, 9]);
    expect(found[0]).toMatchObject({ line: 3, entry: { verdict: { pcs_id: 'p2' }, offset: '2' } });
    const none = await runCli(['audit', 'find', dir, '--pcs-id', 'nope']);
    expect(none.code).toBe(1);
    expect((await runCli(['audit', 'find', dir])).code).toBe(2);
  });

  test('help pages', async () => {
    for (const c of ['checkpoint', 'prove', 'verify-proof', 'find', 'keygen']) {
      const h = await runCli(['audit', c, '--help']);
      expect(h.code).toBe(0);
      expect(h.stdout).toContain(`Usage: flk audit ${c}`);
    }
  });
});

describe('flk audit keygen', () => {
  test('prints a signer and a verifier key that sign and verify a checkpoint', async () => {
    const r = await runCli(['audit', 'keygen', 'flk.test/audit']);
    expect(r.code).toBe(0);
    const [s, v] = r.lines;
    expect(s).toMatch(/^AUDIT_CHECKPOINT_KEY=PRIVATE\+KEY\+flk\.test\/audit\+[0-9a-f]{8}\+/);
    expect(v).toMatch(/^AUDIT_CHECKPOINT_VKEY=flk\.test\/audit\+[0-9a-f]{8}\+/);
    expect((await runCli(['audit', 'keygen'])).code).toBe(2);
    expect((await runCli(['audit', 'keygen', 'a b'])).code).toBe(2);
  });
});
