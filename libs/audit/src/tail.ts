import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AuditCorruptError } from './errors.js';
import { linePosition, parseLine, segmentFirstSeq, lineHash, splitLines, ZERO_HASH } from './format.js';

/** The last offset the log holds for one topic-partition. */
export interface AuditPosition {
  topic: string;
  partition: number;
  /** Decimal string (int64): the next message to log is offset + 1 or later. */
  offset: string;
}

export interface AuditTail {
  /** SHA-256 hex of the last complete line (the next line's `prev`); 64 zeros for an empty log. */
  lastHash: string;
  /** seq of the next line (= number of complete lines in the log). */
  nextSeq: number;
  /** Last logged offset per topic-partition (partitions never logged are absent). */
  positions: AuditPosition[];
  /** File name of the newest segment, or null when there is none. */
  segment: string | null;
  /** Length of that segment's complete lines, in bytes (where a torn tail starts). */
  segmentBytes: number;
  /** Bytes after the last "\n" of the newest segment: a line torn by a crash (0 normally). */
  tornBytes: number;
}

export interface ReadTailOptions {
  /**
   * Stop scanning older segments once every listed topic-partition has been seen (resume only
   * needs the newest line of each). Without it, every segment is scanned.
   */
  partitions?: ReadonlyArray<{ topic: string; partition: number }>;
}

/** Segment file names of a directory, oldest first (a missing directory has none). */
export async function listSegments(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .filter((n) => segmentFirstSeq(n) !== null)
    .sort((a, b) => segmentFirstSeq(a)! - segmentFirstSeq(b)!);
}

const posKey = (topic: string, partition: number) => `${partition}\u0000${topic}`;

/**
 * Reads what a writer needs to resume: the chain head, the next seq and the last offset logged
 * per topic-partition. Read-only; a torn last line (bytes after the final "\n" of the newest
 * segment, left by a crash mid-write) is ignored here and reported in `tornBytes` (the writer
 * truncates it on open). The newest complete line is fully checked (JSON and its own hash);
 * older lines are only read for their positions. `verifyAuditDir` checks everything.
 * Throws AuditCorruptError when the log cannot be resumed from.
 */
export async function readAuditTail(dir: string, opts: ReadTailOptions = {}): Promise<AuditTail> {
  const segments = await listSegments(dir);
  const tail: AuditTail = { lastHash: ZERO_HASH, nextSeq: 0, positions: [], segment: null, segmentBytes: 0, tornBytes: 0 };
  if (segments.length === 0) return tail;

  const newest = segments[segments.length - 1]!;
  tail.segment = newest;
  const wanted = opts.partitions ? new Set(opts.partitions.map((p) => posKey(p.topic, p.partition))) : null;
  const seen = new Map<string, AuditPosition>();
  let headFound = false;

  for (let i = segments.length - 1; i >= 0; i--) {
    const name = segments[i]!;
    const buf = await readFile(join(dir, name));
    const { lines, rest, restStart } = splitLines(buf);
    if (i === segments.length - 1) {
      tail.segmentBytes = restStart;
      tail.tornBytes = rest.length;
    } else if (rest.length > 0) {
      throw new AuditCorruptError(`${name}: ends without a newline but is not the newest segment`, name);
    }
    if (lines.length === 0 && i < segments.length - 1) {
      throw new AuditCorruptError(`${name}: empty segment before the newest one`, name);
    }

    if (!headFound && lines.length > 0) {
      const last = lines[lines.length - 1]!;
      const parsed = parseLine(last);
      if (!parsed.ok) throw new AuditCorruptError(`${name}: last complete line is broken (${parsed.reason}: ${parsed.detail}); run verifyAuditDir`, name);
      tail.lastHash = lineHash(last);
      tail.nextSeq = parsed.line.seq + 1;
      headFound = true;
      const expectedFirst = parsed.line.seq - (lines.length - 1);
      if (segmentFirstSeq(name) !== expectedFirst) throw new AuditCorruptError(`${name}: name does not match its first line's seq ${expectedFirst}`, name);
      // An empty newest segment (crash right after a roll) must continue where this one ends.
      if (i < segments.length - 1 && segmentFirstSeq(newest) !== tail.nextSeq) {
        throw new AuditCorruptError(`${newest}: empty segment whose name does not continue the log (expected seq ${tail.nextSeq})`, newest);
      }
    }

    for (let j = lines.length - 1; j >= 0; j--) {
      const pos = linePosition(lines[j]!);
      if (!pos) throw new AuditCorruptError(`${name}: line ${j + 1} is unreadable; run verifyAuditDir`, name);
      const k = posKey(pos.topic, pos.partition);
      if (!seen.has(k)) seen.set(k, { topic: pos.topic, partition: pos.partition, offset: pos.offset });
    }
    if (wanted && headFound && [...wanted].every((k) => seen.has(k))) break;
  }
  if (!headFound) {
    // Only an empty (or wholly torn) first segment: the log starts at its name's seq, which must be 0.
    if (segments.length > 1 || segmentFirstSeq(newest) !== 0) throw new AuditCorruptError(`${newest}: holds no complete line`, newest);
  }
  tail.positions = [...seen.values()].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  return tail;
}
