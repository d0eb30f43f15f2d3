import { afterEach, describe, expect, test } from '@jest/globals';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAuditLog } from '@flk/audit';
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
});
