import { afterEach, describe, expect, test } from '@jest/globals';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatCheckpoint, generateNoteKey, openAuditLog, parseSignerKey, signNote } from '@flk/audit';
import { runCli } from './test-io.js';

// `flk audit verify` over real audit directories written by @flk/audit's writer.
describe('flk audit verify', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  async function auditDir(lines: number): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'flk-cli-audit-'));
    dirs.push(dir);
    const log = await openAuditLog({ dir });
    await log.append(Array.from({ length: lines }, (_, i) => ({
      topic: 'pcs.verdicts', partition: 0, offset: String(i), key: `k${i}`,
      verdict: { pcs_id: `p${i}`, status: 'accepted' }, error: null,
    })));
    await log.close();
    return dir;
  }

  test('an intact log verifies: one JSON line, exit 0', async () => {
    const dir = await auditDir(5);
    const r = await runCli(['audit', 'verify', dir]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.lines[0]!)).toMatchObject({ dir, ok: true, lines: 5, segments: 1 });
  });

  test('one edited byte is reported at its line, exit 1', async () => {
    const dir = await auditDir(5);
    const [segment] = (await readdir(dir)).filter((f) => f.endsWith('.jsonl'));
    const path = join(dir, segment!);
    const text = await readFile(path, 'utf8');
    const third = text.split('\n')[2]!;
    const at = text.indexOf(third) + third.indexOf('"p2"') + 2; // the '2' of pcs_id "p2"
    await writeFile(path, text.slice(0, at) + '7' + text.slice(at + 1));
    const r = await runCli(['audit', 'verify', dir]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.lines[0]!)).toMatchObject({ ok: false, segment, line: 3, lines_verified: 2 });
  });

  test('a missing directory is a one-line error and the other DIRs are still checked', async () => {
    const dir = await auditDir(1);
    const r = await runCli(['audit', 'verify', '/nonexistent/flk-audit', dir]);
    expect(r.code).toBe(1);
    expect(r.errors).toEqual(['flk: /nonexistent/flk-audit: no such directory']);
    expect(JSON.parse(r.lines[0]!)).toMatchObject({ ok: true, lines: 1 });
  });

  test('usage and help', async () => {
    expect((await runCli(['audit', 'verify'])).code).toBe(2);
    expect((await runCli(['audit', 'nope'])).code).toBe(2);
    const h = await runCli(['audit', 'verify', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('Usage: flk audit verify DIR...');
  });

  describe('--checkpoint', () => {
    const { signer, verifier } = generateNoteKey('flk.test/audit');
    const env = { AUDIT_CHECKPOINT_KEY: signer, AUDIT_CHECKPOINT_VKEY: verifier };
    async function checkpointed(lines: number): Promise<{ dir: string; cp: string }> {
      const dir = await auditDir(lines);
      const r = await runCli(['audit', 'checkpoint', dir], { env });
      expect(r.code).toBe(0);
      const cp = join(dir, '..', `${dir.split('/').pop()}.checkpoint`);
      await writeFile(cp, r.stdout);
      dirs.push(cp);
      return { dir, cp };
    }
    async function segmentOf(dir: string): Promise<string> {
      const [segment] = (await readdir(dir)).filter((f) => f.endsWith('.jsonl'));
      return join(dir, segment!);
    }

    test('a log that extends its checkpoint verifies, also after more entries', async () => {
      const { dir, cp } = await checkpointed(5);
      const r = await runCli(['audit', 'verify', dir, '--checkpoint', cp], { env });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.lines[0]!)).toMatchObject({ ok: true, lines: 5, checkpoint_size: 5 });
      const log = await openAuditLog({ dir });
      await log.append([{ topic: 'pcs.verdicts', partition: 0, offset: '99', key: 'k', verdict: { pcs_id: 'x', status: 'accepted' }, error: null }]);
      await log.close();
      expect(JSON.parse((await runCli(['audit', 'verify', dir, '--checkpoint', cp], { env })).lines[0]!)).toMatchObject({ ok: true, lines: 6, checkpoint_size: 5 });
    });

    test('truncating the tail after a checkpoint fails with both sizes', async () => {
      const { dir, cp } = await checkpointed(6);
      const path = await segmentOf(dir);
      const text = await readFile(path, 'utf8');
      await writeFile(path, text.split('\n').slice(0, 4).join('\n') + '\n');
      expect(JSON.parse((await runCli(['audit', 'verify', dir])).lines[0]!)).toMatchObject({ ok: true, lines: 4 });
      const r = await runCli(['audit', 'verify', dir, '--checkpoint', cp], { env });
      expect(r.code).toBe(1);
      expect(JSON.parse(r.lines[0]!)).toMatchObject({ ok: false, reason: 'truncated', log_size: 4, checkpoint_size: 6 });
    });

    test('an edited byte or a deleted line is reported at its line', async () => {
      const { dir, cp } = await checkpointed(6);
      const path = await segmentOf(dir);
      const text = await readFile(path, 'utf8');
      const lines = text.split('\n');
      await writeFile(path, [...lines.slice(0, 2), ...lines.slice(3)].join('\n'));
      const r = await runCli(['audit', 'verify', dir, '--checkpoint', cp], { env });
      expect(r.code).toBe(1);
      expect(JSON.parse(r.lines[0]!)).toMatchObject({ ok: false, line: 3, lines_verified: 2 });
    });

    test('a checkpoint re-signed over a different root: rewritten; signed by another key: rejected', async () => {
      const dir = await auditDir(6);
      const cp = join(dir, '..', `${dir.split('/').pop()}.checkpoint`);
      dirs.push(cp);
      // The right key, the log's size, another root.
      await writeFile(cp, signNote(formatCheckpoint({ origin: 'flk.test/audit', size: 6, root: new Uint8Array(32).fill(7) }), parseSignerKey(signer)));
      const r = await runCli(['audit', 'verify', dir, '--checkpoint', cp], { env });
      expect(r.code).toBe(1);
      expect(JSON.parse(r.lines[0]!)).toMatchObject({ ok: false, reason: 'rewritten', log_size: 6, checkpoint_size: 6 });
      const mallory = generateNoteKey('flk.test/audit');
      await writeFile(cp, (await runCli(['audit', 'checkpoint', dir], { env: { AUDIT_CHECKPOINT_KEY: mallory.signer } })).stdout);
      const m = await runCli(['audit', 'verify', dir, '--checkpoint', cp], { env });
      expect(m.code).toBe(1);
      expect(m.errors[0]).toMatch(/checkpoint rejected: no signature by flk\.test\/audit/);
      expect((await runCli(['audit', 'verify', dir, '--checkpoint', cp], { env: {} })).code).toBe(2);
    });
  });
  describe('tampering, exhaustively (every line of a 3-segment log, with a signed checkpoint)', () => {
    const { signer, verifier } = generateNoteKey('flk.test/tamper');
    const env = { AUDIT_CHECKPOINT_KEY: signer, AUDIT_CHECKPOINT_VKEY: verifier };
    const N = 14;

    async function setup(): Promise<{ dir: string; cp: string; segments: Array<{ path: string; bytes: Buffer }> }> {
      const dir = await mkdtemp(join(tmpdir(), 'flk-cli-tamper-'));
      dirs.push(dir);
      const log = await openAuditLog({ dir, segmentMaxBytes: 4096 });
      for (let i = 0; i < N; i++) {
        await log.append([{ topic: 'pcs.verdicts', partition: 0, offset: String(i), key: `k${i}`, verdict: { pcs_id: `p${i}`, status: 'accepted', pad: 'x'.repeat(700) }, error: null }]);
      }
      await log.close();
      const cp = `${dir}.checkpoint`;
      dirs.push(cp);
      await writeFile(cp, (await runCli(['audit', 'checkpoint', dir], { env })).stdout);
      const names = (await readdir(dir)).filter((f) => f.endsWith('.jsonl')).sort();
      expect(names.length).toBeGreaterThanOrEqual(3);
      return { dir, cp, segments: await Promise.all(names.map(async (n) => ({ path: join(dir, n), bytes: await readFile(join(dir, n)) }))) };
    }
    const verify = async (dir: string, cp: string) => {
      const r = await runCli(['audit', 'verify', dir, '--checkpoint', cp], { env });
      return { code: r.code, out: JSON.parse(r.lines[0]!) as Record<string, unknown> };
    };
    /** (segment, line in it) of every line, in log order. */
    const positions = (segments: Array<{ bytes: Buffer }>) =>
      segments.flatMap((s, si) => s.bytes.toString('utf8').split('\n').slice(0, -1).map((_, li) => ({ si, li })));

    test('a byte edited in any line: verify fails at that line', async () => {
      const { dir, cp, segments } = await setup();
      for (const { si, li } of positions(segments)) {
        const seg = segments[si]!;
        const lines = seg.bytes.toString('utf8').split('\n');
        const start = lines.slice(0, li).reduce((a, l) => a + l.length + 1, 0);
        const edited = Buffer.from(seg.bytes);
        const at = start + ((li * 37) % lines[li]!.length);
        edited[at] = edited[at]! === 0x41 ? 0x42 : 0x41;
        await writeFile(seg.path, edited);
        const r = await verify(dir, cp);
        expect([si, li, r.code, r.out]).toEqual([si, li, 1, expect.objectContaining({ ok: false, segment: seg.path.split('/').pop(), line: li + 1 })]);
        await writeFile(seg.path, seg.bytes);
      }
      expect((await verify(dir, cp)).code).toBe(0);
    });

    test('any line deleted: verify fails at the line after it (or reports the log truncated when it was the last)', async () => {
      const { dir, cp, segments } = await setup();
      const all = positions(segments);
      for (const [k, { si, li }] of all.entries()) {
        const seg = segments[si]!;
        const lines = seg.bytes.toString('utf8').split('\n');
        await writeFile(seg.path, [...lines.slice(0, li), ...lines.slice(li + 1)].join('\n'));
        const r = await verify(dir, cp);
        expect(r.code).toBe(1);
        if (k === all.length - 1) expect(r.out).toMatchObject({ ok: false, reason: 'truncated', log_size: N - 1, checkpoint_size: N });
        else expect(r.out).toMatchObject({ ok: false, lines_verified: k });
        await writeFile(seg.path, seg.bytes);
      }
    });

    test('the tail truncated to any size after the checkpoint: truncated, with both sizes', async () => {
      const { dir, cp, segments } = await setup();
      const all = positions(segments);
      for (let keep = N - 1; keep >= 1; keep--) {
        for (const s of segments) await writeFile(s.path, s.bytes);
        const { si, li } = all[keep - 1]!;
        const seg = segments[si]!;
        const lines = seg.bytes.toString('utf8').split('\n');
        await writeFile(seg.path, lines.slice(0, li + 1).join('\n') + '\n');
        for (const later of segments.slice(si + 1)) await rm(later.path);
        const r = await verify(dir, cp);
        expect([keep, r.code, r.out]).toEqual([keep, 1, expect.objectContaining({ ok: false, reason: 'truncated', log_size: keep, checkpoint_size: N })]);
      }
    });

    test('re-signed over a different root of the same size: rewritten', async () => {
      const { dir, cp } = await setup();
      for (const size of [1, 7, N]) {
        await writeFile(cp, signNote(formatCheckpoint({ origin: 'flk.test/tamper', size, root: new Uint8Array(32).fill(size) }), parseSignerKey(signer)));
        expect(await verify(dir, cp)).toEqual({ code: 1, out: expect.objectContaining({ ok: false, reason: 'rewritten', log_size: N, checkpoint_size: size }) });
      }
    });
  });
});
