// The audit writer on a real full disk (a 256 KiB tmpfs): ENOSPC mid-batch leaves nothing of the
// batch on disk, the writer stays usable, and the same append succeeds once space is back — within
// a segment and across a segment roll. The log verifies and holds every line exactly once.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from '@jest/globals';
import { AUDIT_ERROR_CODES, AuditDiskFullError, type AuditEvent, openAuditLog, readAuditTail, verifyAuditDir } from '@flk/audit';
import { mountTmpfs, type Tmpfs } from '../support/tmpfs.js';

let fs: Tmpfs | undefined;
afterEach(async () => {
  await fs?.unmount();
  fs = undefined;
});

const entries = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ topic: 'pcs.verdicts', partition: 0, offset: String(from + i), key: `k${from + i}`, verdict: { pcs_id: `p${from + i}`, pad: 'x'.repeat(400) }, error: null }));

describe('audit writer on a full disk (tmpfs)', () => {
  test.each([
    ['within one segment', 1024 * 1024],
    ['across a segment roll', 8 * 1024],
  ])('%s: AuditDiskFullError (retriable), nothing kept; the retry after space returns logs each line once', async (_name, segmentMaxBytes) => {
    fs = await mountTmpfs(256 * 1024);
    const dir = join(fs.dir, 'audit');
    const events: AuditEvent[] = [];
    const log = await openAuditLog({ dir, segmentMaxBytes, onEvent: (e) => events.push(e) });
    await log.append(entries(0, 10));
    const filler = await fs.fill(12 * 1024);
    const batch = entries(10, 60); // ~28 KiB: does not fit
    const err = await log.append(batch).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuditDiskFullError);
    expect(err).toMatchObject({ code: AUDIT_ERROR_CODES.DISK_FULL, retriable: true });
    expect(events.some((e) => e.type === 'disk_full')).toBe(true);
    expect(log.nextSeq).toBe(10);
    expect((await readAuditTail(dir)).nextSeq).toBe(10); // the batch's bytes were cut back off
    // Still full: the same error again, still nothing kept.
    await expect(log.append(batch)).rejects.toBeInstanceOf(AuditDiskFullError);
    await rm(filler);
    await log.append(batch);
    await log.append(entries(70, 5));
    expect(log.nextSeq).toBe(75);
    await log.close();
    const verified = await verifyAuditDir(dir);
    expect(verified).toMatchObject({ ok: true, lines: 75 });
  }, 30_000);
});
