import { describe, expect, test } from '@jest/globals';
import { appendFile, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  AUDIT_ERROR_CODES,
  AuditCorruptError,
  AuditLockedError,
  encodeLine,
  keyText,
  LOCK_FILE,
  openAuditLog,
  parseLine,
  readAuditMerkleTree,
  readAuditTail,
  segmentName,
  lineHash,
  verifyAuditDir,
  ZERO_HASH,
  type AuditEvent,
} from './index.js';
import { entry, freshDirs, readSegments } from './test-support.js';

const freshDir = freshDirs();

/** Writes `count` entries over `partitions` partitions in batches of `batch`; returns the dir. */
async function writeLog(dir: string, count: number, { partitions = 3, batch = 7, segmentMaxBytes }: { partitions?: number; batch?: number; segmentMaxBytes?: number } = {}) {
  const log = await openAuditLog({ dir, ...(segmentMaxBytes ? { segmentMaxBytes } : {}) });
  const next = new Array<number>(partitions).fill(0);
  const all = [];
  for (let i = 0; i < count; i++) {
    const p = i % partitions;
    all.push(entry(p, next[p]!, i));
    next[p]! += 1 + (i % 4 === 0 ? 1 : 0); // offsets may skip (transaction markers)
  }
  for (let i = 0; i < all.length; i += batch) await log.append(all.slice(i, i + batch));
  await log.close();
  return all;
}

describe('line format', () => {
  test('a line is its body plus the body hash as the last member; parseLine round-trips', () => {
    const e = entry(2, 41);
    const line = encodeLine(5, ZERO_HASH, e);
    const text = line.toString('utf8');
    expect(text.startsWith('{"seq":5,"prev":"' + ZERO_HASH + '","topic":"pcs.verdicts","partition":2,"offset":"41",')).toBe(true);
    const cut = text.lastIndexOf(',"hash":"');
    expect(lineHash(text.slice(0, cut) + '}')).toBe(JSON.parse(text).hash);
    const parsed = parseLine(line);
    expect(parsed.ok && parsed.line).toEqual({ seq: 5, prev: ZERO_HASH, ...JSON.parse(JSON.stringify(e)), hash: JSON.parse(text).hash });
  });

  test('traceparent: a member before the hash only when the message had one; old and new lines verify together, and the Merkle tree covers it', async () => {
    const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const plain = encodeLine(0, ZERO_HASH, entry(0, 1));
    expect(encodeLine(0, ZERO_HASH, { ...entry(0, 1), traceparent: null })).toEqual(plain); // lines without one are byte-identical to the old format
    expect(plain.toString('utf8')).not.toContain('traceparent');
    const traced = encodeLine(1, lineHash(plain), { ...entry(0, 2), traceparent: tp });
    expect(traced.toString('utf8')).toMatch(new RegExp(`"error":null,"traceparent":"${tp}","hash":"[0-9a-f]{64}"}$`));
    const parsed = parseLine(traced);
    expect(parsed.ok && parsed.line.traceparent).toBe(tp);
    const forged = Buffer.from(traced.toString('utf8').replace(tp, tp.replace('4bf9', '4bf8')));
    expect(parseLine(forged)).toMatchObject({ ok: false, reason: 'hash_mismatch' });

    const dir = await freshDir();
    const log = await openAuditLog({ dir });
    await log.append([entry(0, 1), { ...entry(0, 2), traceparent: tp }, entry(1, 1)]);
    await log.close();
    expect(await verifyAuditDir(dir)).toMatchObject({ ok: true, lines: 3 });
    const tree = await readAuditMerkleTree(dir);
    expect(tree.size).toBe(3);
    const [{ bytes }] = (await readSegments(dir)) as [{ name: string; bytes: Buffer }];
    const edited = bytes.toString('utf8').replace(tp, `${tp.slice(0, -2)}00`); // the sampled flag cleared
    await writeFile(join(dir, segmentName(0)), edited);
    expect(await verifyAuditDir(dir)).toMatchObject({ ok: false });
  });

  test('keys: UTF-8 text, or b64: when not valid UTF-8', () => {
    expect(keyText(Buffer.from('pcs-ü'))).toBe('pcs-ü');
    expect(keyText(Buffer.from([0xff, 0xfe]))).toBe('b64://4=');
    expect(keyText(null)).toBeNull();
  });

  test('segment names are the zero-padded first seq', () => {
    expect(segmentName(0)).toBe('audit-00000000000000000000.jsonl');
    expect(segmentName(1234)).toBe('audit-00000000000000001234.jsonl');
  });
});

describe('writer and verifier', () => {
  test('the chain verifies: first prev is 64 zeros, each prev is the SHA-256 of the previous line', async () => {
    const dir = await freshDir();
    await writeLog(dir, 40);
    expect(await verifyAuditDir(dir)).toEqual({ ok: true, lines: 40, segments: 1, lastHash: expect.any(String) });
    const [{ bytes }] = (await readSegments(dir)) as [{ name: string; bytes: Buffer }];
    const lines = bytes.toString('utf8').split('\n');
    expect(lines.pop()).toBe(''); // every line ends with "\n"
    let prev = ZERO_HASH;
    lines.forEach((l, i) => {
      expect(JSON.parse(l)).toMatchObject({ seq: i, prev });
      prev = lineHash(l);
    });
    expect((await verifyAuditDir(dir)).ok && (await readAuditTail(dir)).lastHash).toBe(prev);
  });

  test('segments roll at the size limit, are named by their first seq, and the chain continues across them and across reopen', async () => {
    const dir = await freshDir();
    await writeLog(dir, 30, { segmentMaxBytes: 2000 });
    const log = await openAuditLog({ dir, segmentMaxBytes: 2000 });
    await log.append([entry(0, 1000, 30), entry(1, 1000, 31)]);
    await log.close();
    const segs = await readSegments(dir);
    expect(segs.length).toBeGreaterThan(3);
    let seq = 0;
    let prev = ZERO_HASH;
    for (const s of segs) {
      expect(s.bytes.length).toBeLessThanOrEqual(2000);
      expect(s.name).toBe(segmentName(seq));
      for (const l of s.bytes.toString('utf8').split('\n').slice(0, -1)) {
        expect(JSON.parse(l)).toMatchObject({ seq, prev });
        prev = lineHash(l);
        seq++;
      }
    }
    expect(seq).toBe(32);
    expect(await verifyAuditDir(dir)).toMatchObject({ ok: true, lines: 32, segments: segs.length });
  });

  test('a line larger than the limit gets a segment of its own', async () => {
    const dir = await freshDir();
    const log = await openAuditLog({ dir, segmentMaxBytes: 100 });
    await log.append([entry(0, 0), entry(0, 1), entry(0, 2)]);
    await log.close();
    expect((await readSegments(dir)).map((s) => s.name)).toEqual([segmentName(0), segmentName(1), segmentName(2)]);
    expect(await verifyAuditDir(dir)).toMatchObject({ ok: true, lines: 3 });
  });

  test('editing any single byte of any line makes verify fail at exactly that line', async () => {
    const dir = await freshDir();
    await writeLog(dir, 24, { segmentMaxBytes: 3000 });
    const segs = await readSegments(dir);
    expect(segs.length).toBeGreaterThan(1);
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 255 }), async (segPick, posPick, delta) => {
        const s = segs[segPick % segs.length]!;
        const pos = posPick % s.bytes.length;
        const edited = Buffer.from(s.bytes);
        edited[pos] = (edited[pos]! + delta) % 256; // always a different byte
        const line = s.bytes.subarray(0, pos).filter((b) => b === 0x0a).length + 1;
        await writeFile(join(dir, s.name), edited);
        try {
          const r = await verifyAuditDir(dir);
          expect(r).toMatchObject({ ok: false, segment: s.name, line });
        } finally {
          await writeFile(join(dir, s.name), s.bytes);
        }
      }),
      { numRuns: 300 },
    );
    expect((await verifyAuditDir(dir)).ok).toBe(true);
  });

  test('removed, swapped and inserted lines and a missing segment are caught at the first line after the change', async () => {
    const dir = await freshDir();
    await writeLog(dir, 12, { segmentMaxBytes: 1500 });
    const segs = await readSegments(dir);
    const first = segs[0]!;
    const lines = first.bytes.toString('utf8').split('\n').slice(0, -1);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    const put = (ls: string[]) => writeFile(join(dir, first.name), ls.map((l) => l + '\n').join(''));

    await put([lines[0]!, ...lines.slice(2)]); // line 2 removed
    expect(await verifyAuditDir(dir)).toMatchObject({ ok: false, segment: first.name, line: 2, reason: 'seq_mismatch' });
    await put([lines[1]!, lines[0]!, ...lines.slice(2)]); // swapped
    expect(await verifyAuditDir(dir)).toMatchObject({ ok: false, segment: first.name, line: 1, reason: 'seq_mismatch' });
    await put([lines[0]!, lines[0]!, ...lines.slice(1)]); // a line duplicated
    expect(await verifyAuditDir(dir)).toMatchObject({ ok: false, segment: first.name, line: 2, reason: 'seq_mismatch' });
    await put(lines);
    expect((await verifyAuditDir(dir)).ok).toBe(true);

    await rm(join(dir, segs[1]!.name)); // a segment removed from the middle
    expect(await verifyAuditDir(dir)).toMatchObject({ ok: false, segment: segs[2]!.name, line: 1, reason: 'seq_mismatch' });
  });

  test('a self-consistent rewrite that drops a line or reorders offsets breaks the chain or the offset order', async () => {
    const dir = await freshDir();
    // Re-hashed lines (as a forger would write them) with a line left out: prev no longer matches.
    const a = encodeLine(0, ZERO_HASH, entry(0, 0));
    const b = encodeLine(1, lineHash(a), entry(0, 1));
    const c = encodeLine(2, lineHash(b), entry(0, 2));
    const cForged = encodeLine(1, lineHash(b), entry(0, 2));
    await writeFile(join(dir, segmentName(0)), Buffer.concat([a, Buffer.from('\n'), cForged, Buffer.from('\n')]));
    expect(await verifyAuditDir(dir)).toMatchObject({ ok: false, line: 2, reason: 'prev_mismatch' });
    await writeFile(join(dir, segmentName(0)), Buffer.concat([a, Buffer.from('\n'), b, Buffer.from('\n'), c, Buffer.from('\n')]));
    expect(await verifyAuditDir(dir)).toMatchObject({ ok: true, lines: 3 });
    // Offsets of one partition going backwards, with a valid chain: offset_order.
    const d = encodeLine(3, lineHash(c), entry(0, 1));
    await appendFile(join(dir, segmentName(0)), Buffer.concat([d, Buffer.from('\n')]));
    expect(await verifyAuditDir(dir)).toMatchObject({ ok: false, line: 4, reason: 'offset_order' });
  });

  test('offsets must increase per partition: a bad batch throws and writes nothing', async () => {
    const dir = await freshDir();
    const log = await openAuditLog({ dir });
    await log.append([entry(0, 5), entry(1, 0)]);
    await expect(log.append([entry(0, 6), entry(0, 5)])).rejects.toMatchObject({ code: AUDIT_ERROR_CODES.INVALID_ENTRY });
    await expect(log.append([entry(0, 5)])).rejects.toMatchObject({ code: AUDIT_ERROR_CODES.INVALID_ENTRY });
    expect(log.nextSeq).toBe(2);
    await log.append([entry(0, 6)]); // the writer is still usable
    expect(log.lastOffset('pcs.verdicts', 0)).toBe('6');
    expect(log.lastOffset('pcs.verdicts', 1)).toBe('0');
    expect(log.lastOffset('pcs.verdicts', 2)).toBeUndefined();
    await log.close();
    await expect(log.append([entry(0, 7)])).rejects.toMatchObject({ code: AUDIT_ERROR_CODES.CLOSED });
    expect(await verifyAuditDir(dir)).toMatchObject({ ok: true, lines: 3 });
  });

  test('an empty or missing directory', async () => {
    const dir = await freshDir();
    expect(await verifyAuditDir(dir)).toEqual({ ok: true, lines: 0, segments: 0, lastHash: ZERO_HASH });
    expect(await readAuditTail(join(dir, 'nope'))).toMatchObject({ nextSeq: 0, lastHash: ZERO_HASH, positions: [] });
    await expect(verifyAuditDir(join(dir, 'nope'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('tail and crash recovery', () => {
  test('readAuditTail gives the last offset per partition, the chain head and the next seq', async () => {
    const dir = await freshDir();
    const log = await openAuditLog({ dir, segmentMaxBytes: 1200 });
    await log.append([entry(0, 0), entry(1, 0), entry(0, 3), entry(2, 9)]);
    await log.append([entry(1, 4), entry(0, 7), entry(0, 8, 8, 'other.topic')]);
    const head = log.lastHash;
    await log.close();
    const tail = await readAuditTail(dir);
    expect(tail).toMatchObject({ lastHash: head, nextSeq: 7, tornBytes: 0 });
    expect(tail.positions).toEqual([
      { topic: 'other.topic', partition: 0, offset: '8' },
      { topic: 'pcs.verdicts', partition: 0, offset: '7' },
      { topic: 'pcs.verdicts', partition: 1, offset: '4' },
      { topic: 'pcs.verdicts', partition: 2, offset: '9' },
    ]);
    // With a partition hint the scan may stop early but still finds what was asked for.
    const hinted = await readAuditTail(dir, { partitions: [{ topic: 'pcs.verdicts', partition: 1 }] });
    expect(hinted.positions).toContainEqual({ topic: 'pcs.verdicts', partition: 1, offset: '4' });
    expect(hinted.nextSeq).toBe(7);
  });

  test('a torn last line is ignored by readAuditTail, reported by verify, and truncated away (and saved) on open', async () => {
    const dir = await freshDir();
    await writeLog(dir, 9, { partitions: 1, batch: 3 });
    const before = await readAuditTail(dir);
    const [seg] = (await readSegments(dir)) as [{ name: string; bytes: Buffer }];
    const torn = encodeLine(9, before.lastHash, entry(0, 99)).subarray(0, 57); // a crash mid-write
    await appendFile(join(dir, seg.name), torn);

    const tail = await readAuditTail(dir);
    expect(tail).toMatchObject({ nextSeq: 9, lastHash: before.lastHash, tornBytes: 57, segmentBytes: seg.bytes.length });
    expect(tail.positions).toEqual(before.positions);
    expect(await verifyAuditDir(dir)).toMatchObject({ ok: false, segment: seg.name, line: 10, reason: 'unterminated_line' });

    const events: AuditEvent[] = [];
    const log = await openAuditLog({ dir, onEvent: (e) => events.push(e), now: () => 1700000000000 });
    expect(events).toContainEqual({ type: 'torn_tail_truncated', segment: seg.name, bytes: 57, savedAs: `${seg.name}.torn-1700000000000` });
    expect(await readFile(join(dir, `${seg.name}.torn-1700000000000`))).toEqual(torn);
    await log.append([entry(0, 99, 9)]);
    await log.close();
    expect(await verifyAuditDir(dir)).toMatchObject({ ok: true, lines: 10 });
  });

  test('a torn line that is the only content of a freshly rolled segment', async () => {
    const dir = await freshDir();
    await writeLog(dir, 3, { partitions: 1, batch: 3 });
    const tail = await readAuditTail(dir);
    await writeFile(join(dir, segmentName(3)), '{"seq":3,"pr');
    const log = await openAuditLog({ dir });
    expect(log.nextSeq).toBe(3);
    expect(log.lastHash).toBe(tail.lastHash);
    await log.append([entry(0, 10)]);
    await log.close();
    expect(await verifyAuditDir(dir)).toMatchObject({ ok: true, lines: 4, segments: 2 });
  });

  test('a broken last complete line refuses to resume (verify points at it)', async () => {
    const dir = await freshDir();
    await writeLog(dir, 4, { partitions: 1 });
    const [seg] = (await readSegments(dir)) as [{ name: string; bytes: Buffer }];
    const edited = Buffer.from(seg.bytes);
    edited[edited.length - 10] = 0x30 + ((edited[edited.length - 10]! - 0x30 + 1) % 10); // a hash digit
    await writeFile(join(dir, seg.name), edited);
    await expect(readAuditTail(dir)).rejects.toBeInstanceOf(AuditCorruptError);
    await expect(openAuditLog({ dir })).rejects.toBeInstanceOf(AuditCorruptError);
    expect(await readdir(dir)).not.toContain(LOCK_FILE); // the lock was released
  });

  test('one writer per directory; a lock left by a dead process is taken over', async () => {
    const dir = await freshDir();
    const log = await openAuditLog({ dir });
    await expect(openAuditLog({ dir })).rejects.toBeInstanceOf(AuditLockedError);
    await log.close();
    await writeFile(join(dir, LOCK_FILE), '2147483646\n'); // no such process
    const events: AuditEvent[] = [];
    const again = await openAuditLog({ dir, onEvent: (e) => events.push(e) });
    expect(events).toContainEqual({ type: 'stale_lock_replaced', pid: 2147483646 });
    await again.close();
    expect(await readdir(dir)).not.toContain(LOCK_FILE);
  });

  test('a failed write poisons the writer until it is reopened', async () => {
    const dir = await freshDir();
    const log = await openAuditLog({ dir, segmentMaxBytes: 600 });
    await log.append([entry(0, 0)]);
    await rm(dir, { recursive: true }); // the next roll cannot create its segment
    await expect(log.append([entry(0, 1), entry(0, 2)])).rejects.toMatchObject({ code: AUDIT_ERROR_CODES.WRITE_FAILED });
    await expect(log.append([entry(0, 3)])).rejects.toMatchObject({ code: AUDIT_ERROR_CODES.WRITE_FAILED });
    await log.close();
  });

  test('truncating the newest segment inside a line is a torn tail, not a silent loss of earlier lines', async () => {
    const dir = await freshDir();
    await writeLog(dir, 5, { partitions: 1 });
    const [seg] = (await readSegments(dir)) as [{ name: string; bytes: Buffer }];
    await truncate(join(dir, seg.name), seg.bytes.length - 30);
    const tail = await readAuditTail(dir);
    expect(tail.nextSeq).toBe(4);
    expect(tail.tornBytes).toBeGreaterThan(0);
  });
});
