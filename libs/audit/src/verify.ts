import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseLine, segmentFirstSeq, lineHash, splitLines, ZERO_HASH } from './format.js';
import { listSegments } from './tail.js';

/** Why a line breaks the log, in the order the checks run on each line. */
export type AuditBreakReason =
  /** The segment's last line has no "\n" (a torn write; the sink truncates it on its next start). */
  | 'unterminated_line'
  /** Not a JSON object. */
  | 'bad_json'
  /** A field is missing or mistyped, or `hash` is not the line's last member. */
  | 'bad_fields'
  /** The line's bytes do not hash to its `hash`: the line was changed. */
  | 'hash_mismatch'
  /** `seq` is not the previous line's seq + 1 (first line: 0), or a segment's name does not match its first line. */
  | 'seq_mismatch'
  /** `prev` is not the SHA-256 of the previous line's bytes: a line was removed, inserted or reordered before it. */
  | 'prev_mismatch'
  /** The offset is not greater than the last one logged for the same topic-partition. */
  | 'offset_order'
  /** A segment with no lines that is not the newest one. */
  | 'empty_segment';

export type AuditVerifyResult =
  | { ok: true; lines: number; segments: number; lastHash: string }
  | {
      ok: false;
      /** Segment file name. */
      segment: string;
      /** 1-based line number within the segment. */
      line: number;
      reason: AuditBreakReason;
      detail: string;
      /** Lines that verified before the break. */
      linesVerified: number;
    };

/**
 * Checks a whole audit directory and points at the FIRST break. Per line: terminated by "\n",
 * JSON, field types, its own hash, seq continuity (and segment names), the hash chain (`prev`),
 * and strictly increasing offsets per topic-partition. Offsets may skip (transaction markers,
 * aborted records and compaction leave legitimate gaps in Kafka offsets), so gaps are not breaks.
 * Read-only. A missing directory throws (ENOENT); an empty one verifies with 0 lines.
 * Not detectable without an external anchor: removing whole lines from the END of the log
 * (publish `lastHash` elsewhere to close that gap).
 */
export async function verifyAuditDir(dir: string): Promise<AuditVerifyResult> {
  const segments = await listSegments(dir);
  if (segments.length === 0) await stat(dir); // a missing directory is an error, not an empty log
  let prevHash = ZERO_HASH;
  let expectedSeq = 0;
  let verified = 0;
  const lastOffset = new Map<string, bigint>();

  for (let s = 0; s < segments.length; s++) {
    const segment = segments[s]!;
    const buf = await readFile(join(dir, segment));
    const { lines, rest } = splitLines(buf);
    const fail = (line: number, reason: AuditBreakReason, detail: string): AuditVerifyResult => ({
      ok: false, segment, line, reason, detail, linesVerified: verified,
    });
    const named = segmentFirstSeq(segment)!;
    if (lines.length === 0 && rest.length === 0) {
      if (s < segments.length - 1) return fail(1, 'empty_segment', 'segment has no lines but is not the newest');
      if (named !== expectedSeq) return fail(1, 'seq_mismatch', `empty newest segment is named for seq ${named}, the log continues at ${expectedSeq}`);
      continue;
    }
    if (named !== expectedSeq) return fail(1, 'seq_mismatch', `segment is named for seq ${named}, the log continues at ${expectedSeq}`);

    for (let i = 0; i < lines.length; i++) {
      const bytes = lines[i]!;
      const parsed = parseLine(bytes);
      if (!parsed.ok) return fail(i + 1, parsed.reason, parsed.detail);
      const l = parsed.line;
      if (l.seq !== expectedSeq) return fail(i + 1, 'seq_mismatch', `seq ${l.seq}, expected ${expectedSeq}`);
      if (l.prev !== prevHash) return fail(i + 1, 'prev_mismatch', `prev ${l.prev}, previous line hashes to ${prevHash}`);
      const key = `${l.partition}\u0000${l.topic}`;
      const offset = BigInt(l.offset);
      const before = lastOffset.get(key);
      if (before !== undefined && offset <= before) {
        return fail(i + 1, 'offset_order', `${l.topic}[${l.partition}] offset ${l.offset} after ${before}`);
      }
      lastOffset.set(key, offset);
      prevHash = lineHash(bytes);
      expectedSeq++;
      verified++;
    }
    if (rest.length > 0) return fail(lines.length + 1, 'unterminated_line', `${rest.length} bytes after the last newline`);
  }
  return { ok: true, lines: verified, segments: segments.length, lastHash: prevHash };
}
