// The agent's input: an event stream in JSON Lines, one event per line (docs/agent.md §1).
//
//   {"shard_id":"shard-001","ts":"2025-01-01T00:00:00Z","point":[0.1,0.2,0.3],"payload":"text"}
//   {"shard_id":"shard-002","ts":"2025-01-01T00:00:00.250Z","point":[1,2],"payload_b64":"AAEC","tenant_id":"acme"}
//
// Parsing is pure and never throws for bad input: a bad line is a reason (a fixed phrase that
// names the field, never echoes the line's content, so a payload cannot leak into logs).
import { base64Decode } from '@flk/pcs';

/** One parsed event. `payload` is the raw bytes the record's r and Merkle root are computed over. */
export interface StreamEvent {
  shard_id: string;
  /** Event time, milliseconds since the Unix epoch (from the RFC 3339 `ts`). */
  ts: number;
  point: number[];
  payload: Uint8Array;
  tenant_id?: string;
}

export type ParseResult = { ok: true; event: StreamEvent } | { ok: false; reason: string };

export const EVENT_LIMITS = {
  /** Longest accepted line, in UTF-16 code units (the reader should cut longer lines off itself). */
  maxLineChars: 1_048_576,
  maxPointDims: 64,
  /** shard_id / tenant_id: 1–128 characters of [A-Za-z0-9._:-] (no '|': it separates the pcs_id fields). */
  idPattern: /^[A-Za-z0-9._:-]{1,128}$/,
} as const;

// RFC 3339 date-time with a mandatory offset; fractional seconds optional.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

export function parseTimestamp(text: string): number | null {
  const m = RFC3339.exec(text);
  if (m === null) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return null;
  const ms = Date.parse(text.replace('t', 'T').replace('z', 'Z'));
  if (!Number.isFinite(ms)) return null;
  // Date.parse rolls 2025-02-30 over to March: refuse dates that do not exist.
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  return ms;
}

const utf8 = new TextEncoder();

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses one line (without its newline). Blank lines are the caller's to skip. */
export function parseEventLine(line: string): ParseResult {
  if (line.length > EVENT_LIMITS.maxLineChars) return { ok: false, reason: 'line too long' };
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'not valid JSON' };
  }
  if (!isPlainObject(v)) return { ok: false, reason: 'not a JSON object' };

  const shard = v['shard_id'];
  if (typeof shard !== 'string' || !EVENT_LIMITS.idPattern.test(shard)) {
    return { ok: false, reason: 'shard_id: expected 1-128 characters of [A-Za-z0-9._:-]' };
  }

  const tsText = v['ts'];
  const ts = typeof tsText === 'string' ? parseTimestamp(tsText) : null;
  if (ts === null) return { ok: false, reason: 'ts: expected an RFC 3339 date-time with offset, e.g. 2025-01-01T00:00:00Z' };

  const point = v['point'];
  if (!Array.isArray(point) || point.length < 1 || point.length > EVENT_LIMITS.maxPointDims) {
    return { ok: false, reason: `point: expected an array of 1-${EVENT_LIMITS.maxPointDims} numbers` };
  }
  for (const c of point) {
    if (typeof c !== 'number' || !Number.isFinite(c)) return { ok: false, reason: 'point: coordinates must be finite numbers' };
  }

  const text = v['payload'];
  const b64 = v['payload_b64'];
  let payload: Uint8Array;
  if (text !== undefined && b64 !== undefined) return { ok: false, reason: 'payload: give payload or payload_b64, not both' };
  if (typeof text === 'string') {
    payload = utf8.encode(text);
  } else if (typeof b64 === 'string') {
    const bytes = base64Decode(b64);
    if (bytes === null) return { ok: false, reason: 'payload_b64: not valid standard padded base64' };
    payload = bytes;
  } else {
    return { ok: false, reason: 'payload: expected a string (payload, UTF-8 text) or payload_b64 (base64 bytes)' };
  }

  const event: StreamEvent = { shard_id: shard, ts, point: point as number[], payload };
  const tenant = v['tenant_id'];
  if (tenant !== undefined && tenant !== null) {
    if (typeof tenant !== 'string' || !EVENT_LIMITS.idPattern.test(tenant)) {
      return { ok: false, reason: 'tenant_id: expected 1-128 characters of [A-Za-z0-9._:-]' };
    }
    event.tenant_id = tenant;
  }
  return { ok: true, event };
}
