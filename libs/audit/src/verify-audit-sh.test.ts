import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openAuditLog, verifyAuditDir } from './index.js';
import { entry, readSegments, removeDir, tmpDir } from './test-support.js';

// The documented third-party check (bash + sha256sum + jq) must agree with verifyAuditDir.
const SCRIPT = fileURLToPath(new URL('../scripts/verify-audit.sh', import.meta.url));
const run = promisify(execFile);

async function script(dir: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run('bash', [SCRIPT, dir]);
    return { code: 0, out: stdout.trim() };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, out: e.stdout.trim() };
  }
}

describe('scripts/verify-audit.sh', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tmpDir();
    const log = await openAuditLog({ dir, segmentMaxBytes: 2500 });
    for (let i = 0; i < 12; i += 4) await log.append([0, 1, 2, 3].map((k) => entry(k % 2, 10 * i + k, i + k)));
    await log.close();
  });
  afterAll(() => removeDir(dir));

  test('an intact log: OK with the same line count and last hash', async () => {
    const v = await verifyAuditDir(dir);
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(await script(dir)).toEqual({ code: 0, out: `OK ${v.lines} lines, last hash ${v.lastHash}` });
  });

  test('single-byte edits: the script fails at the same segment and line as verifyAuditDir', async () => {
    const segs = await readSegments(dir);
    expect(segs.length).toBeGreaterThan(1);
    // A digit in the verdict, a hash digit, the prev field, a newline, the closing brace.
    const cases: Array<[number, (b: Buffer) => number]> = [
      [0, (b) => b.indexOf('"recomputed_D_hat":') + 20],
      [1, (b) => b.lastIndexOf('"hash":"') + 12],
      [1, (b) => b.indexOf('"prev":"') + 9],
      [0, (b) => b.indexOf('\n')],
      [segs.length - 1, (b) => b.length - 1],
      [segs.length - 1, (b) => b.length - 2],
    ];
    for (const [si, at] of cases) {
      const s = segs[si]!;
      const pos = at(s.bytes);
      const edited = Buffer.from(s.bytes);
      edited[pos] = edited[pos] === 0x31 ? 0x32 : 0x31;
      await writeFile(join(dir, s.name), edited);
      const v = await verifyAuditDir(dir);
      const sh = await script(dir);
      await writeFile(join(dir, s.name), s.bytes);
      expect(v.ok).toBe(false);
      if (v.ok) continue;
      expect(sh.code).toBe(1);
      expect(sh.out).toMatch(new RegExp(`^FAIL ${v.segment} line ${v.line}: `));
    }
  });
});
