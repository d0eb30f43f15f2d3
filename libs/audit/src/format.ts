import { createHash } from 'node:crypto';

// The audit line format (docs/sink.md describes it for third-party verifiers). One line per
// consumed message, UTF-8, terminated by "\n", no other whitespace:
//
//   {"seq":N,"prev":"<hex>","topic":"…","partition":P,"offset":"O","key":…,"verdict":{…}|null,"error":null|"…"[,"traceparent":"…"],"hash":"<hex>"}
//
// - `traceparent`: the W3C trace context the message carried (its `traceparent` header), only
//   when it had a well-formed one. Lines written before the member existed simply lack it; the
//   hash, chain and Merkle leaves are over the line's bytes, whatever its members, so they verify.
// - `prev`: SHA-256 hex of the previous line's exact bytes (without its "\n"); 64 zeros for the
//   very first line of the log. The chain continues across segment files.
// - `hash`: SHA-256 hex of this line's "body": the line's bytes with the trailing
//   `,"hash":"<64 hex>"` removed (i.e. the same JSON object without its last member). It makes
//   every line self-checking, so a change to the last line of the log is caught too, and a
//   change anywhere is reported at the line that was changed.
// - `seq`: 0-based line number over the whole log; a segment file is named by its first seq.

export const ZERO_HASH = '0'.repeat(64);
export const SEGMENT_PATTERN = /^audit-(\d{20})\.jsonl$/;
const HASH_SUFFIX_PREFIX = Buffer.from(',"hash":"', 'utf8');
/** `,"hash":"` + 64 hex + `"}` */
export const HASH_SUFFIX_BYTES = HASH_SUFFIX_PREFIX.length + 64 + 2;
const HEX64 = /^[0-9a-f]{64}$/;
const DECIMAL = /^(0|[1-9]\d*)$/;
const NEWLINE = 0x0a;

/** What the caller supplies for one line. */
export interface AuditEntryInput {
  /** Where the message sits in the consumed topic. `offset` is a decimal string (int64). */
  topic: string;
  partition: number;
  offset: string;
  /** The message key as UTF-8 text (`b64:<base64>` when it is not valid UTF-8), or null. */
  key: string | null;
  /** The decoded message (JSON-serialisable), or null when it could not be decoded. */
  verdict: unknown;
  /** Why the message could not be decoded (e.g. `malformed:avro`), else null. */
  error: string | null;
  /** The message's W3C `traceparent` header; absent (or null) writes no member. */
  traceparent?: string | null;
}

/** One parsed line. */
export interface AuditLine extends AuditEntryInput {
  seq: number;
  prev: string;
  hash: string;
}

/**
 * The hash chain's link: lowercase hex SHA-256 of a line's bytes (node:crypto: the sink hashes every
 * line). Not @flk/pcs's sha256Hex (pure, @noble, for the contract's pcs_id and policy digests).
 */
export function lineHash(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function segmentName(firstSeq: number): string {
  return `audit-${String(firstSeq).padStart(20, '0')}.jsonl`;
}

/** The first seq a segment file name announces, or null for a file that is not a segment. */
export function segmentFirstSeq(name: string): number | null {
  const m = SEGMENT_PATTERN.exec(name);
  if (!m) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : null;
}

/** Text form of a message key: UTF-8 when valid, otherwise `b64:<base64>`. */
export function keyText(key: Buffer | null | undefined): string | null {
  if (key === null || key === undefined) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(key);
  } catch {
    return `b64:${key.toString('base64')}`;
  }
}

export function isDecimalOffset(offset: unknown): offset is string {
  return typeof offset === 'string' && DECIMAL.test(offset) && offset.length <= 19;
}

/** Serialises one line (without its "\n"). Key order is fixed; the body hash is appended last. */
export function encodeLine(seq: number, prev: string, e: AuditEntryInput): Buffer {
  const body = JSON.stringify({
    seq,
    prev,
    topic: e.topic,
    partition: e.partition,
    offset: e.offset,
    key: e.key,
    verdict: e.verdict === undefined ? null : e.verdict,
    error: e.error,
    ...(typeof e.traceparent === 'string' ? { traceparent: e.traceparent } : {}),
  });
  const hash = lineHash(body);
  return Buffer.from(`${body.slice(0, -1)},"hash":"${hash}"}`, 'utf8');
}

/** Why a line is not acceptable (first failing check, in this order). */
export type LineProblem =
  | { reason: 'bad_json'; detail: string }
  | { reason: 'bad_fields'; detail: string }
  | { reason: 'hash_mismatch'; detail: string };

/**
 * Parses and self-checks one line (bytes without the "\n"): JSON, field types, and the body hash
 * recomputed over the raw bytes. Chain, seq and offset order are the caller's (they need context).
 */
export function parseLine(bytes: Buffer): { ok: true; line: AuditLine } | ({ ok: false } & LineProblem) {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    return { ok: false, reason: 'bad_json', detail: (err as Error).message };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'bad_json', detail: 'not a JSON object' };
  const v = value as Record<string, unknown>;
  const bad = (detail: string) => ({ ok: false as const, reason: 'bad_fields' as const, detail });
  if (!Number.isSafeInteger(v.seq) || (v.seq as number) < 0) return bad('seq: expected a non-negative integer');
  if (typeof v.prev !== 'string' || !HEX64.test(v.prev)) return bad('prev: expected 64 lowercase hex digits');
  if (typeof v.topic !== 'string' || v.topic.length === 0) return bad('topic: expected a non-empty string');
  if (!Number.isSafeInteger(v.partition) || (v.partition as number) < 0) return bad('partition: expected a non-negative integer');
  if (!isDecimalOffset(v.offset)) return bad('offset: expected a decimal string');
  if (v.key !== null && typeof v.key !== 'string') return bad('key: expected a string or null');
  if (!('verdict' in v)) return bad('verdict: missing');
  if (v.error !== null && typeof v.error !== 'string') return bad('error: expected a string or null');
  if ('traceparent' in v && typeof v.traceparent !== 'string') return bad('traceparent: expected a string when present');
  if (typeof v.hash !== 'string' || !HEX64.test(v.hash)) return bad('hash: expected 64 lowercase hex digits');
  // The hash must be the line's last member, byte for byte, and match the body's digest.
  const n = bytes.length;
  const suffixStart = n - HASH_SUFFIX_BYTES;
  if (
    suffixStart < 1 ||
    !bytes.subarray(suffixStart, suffixStart + HASH_SUFFIX_PREFIX.length).equals(HASH_SUFFIX_PREFIX) ||
    bytes.toString('latin1', suffixStart + HASH_SUFFIX_PREFIX.length, n - 2) !== v.hash ||
    bytes[n - 2] !== 0x22 ||
    bytes[n - 1] !== 0x7d
  ) {
    return bad('hash: must be the last member of the line');
  }
  const body = Buffer.concat([bytes.subarray(0, suffixStart), Buffer.from('}')]);
  const computed = lineHash(body);
  if (computed !== v.hash) return { ok: false, reason: 'hash_mismatch', detail: `body hashes to ${computed}, line says ${v.hash}` };
  return {
    ok: true,
    line: {
      seq: v.seq as number,
      prev: v.prev,
      topic: v.topic,
      partition: v.partition as number,
      offset: v.offset,
      key: v.key as string | null,
      verdict: v.verdict,
      error: v.error as string | null,
      ...(typeof v.traceparent === 'string' ? { traceparent: v.traceparent } : {}),
      hash: v.hash,
    },
  };
}

/**
 * Splits a segment's bytes into complete lines (without "\n") and the bytes after the last "\n"
 * (a torn tail when non-empty).
 */
export function splitLines(buf: Buffer): { lines: Buffer[]; rest: Buffer; restStart: number } {
  const lines: Buffer[] = [];
  let start = 0;
  for (;;) {
    const nl = buf.indexOf(NEWLINE, start);
    if (nl < 0) break;
    lines.push(buf.subarray(start, nl));
    start = nl + 1;
  }
  return { lines, rest: buf.subarray(start), restStart: start };
}

// Writer-format fast path for resume scans: seq, topic, partition and offset from the fixed prefix.
const PREFIX = /^\{"seq":(\d+),"prev":"[0-9a-f]{64}","topic":("(?:[^"\\]|\\.)*"),"partition":(\d+),"offset":"(\d+)",/;

/** Position fields of a line, via the fixed prefix (falls back to a full JSON parse); null if unreadable. */
export function linePosition(bytes: Buffer): { seq: number; topic: string; partition: number; offset: string } | null {
  const m = PREFIX.exec(bytes.toString('utf8', 0, Math.min(bytes.length, 1024)));
  if (m) {
    try {
      return { seq: Number(m[1]), topic: JSON.parse(m[2]!) as string, partition: Number(m[3]), offset: m[4]! };
    } catch {
      return null;
    }
  }
  const parsed = parseLine(bytes);
  return parsed.ok ? { seq: parsed.line.seq, topic: parsed.line.topic, partition: parsed.line.partition, offset: parsed.line.offset } : null;
}
