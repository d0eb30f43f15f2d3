// Record headers that cross apps: set by one process, copied by another. One name for each, here.
import { randomBytes } from 'node:crypto';

/** W3C trace context (https://www.w3.org/TR/trace-context/): copied from input to every output. */
export const TRACEPARENT_HEADER = 'traceparent';

/**
 * Set by the HTTP gateway on a submission: the key under which the verifier also writes the
 * record's verdict to the replies topic (same transaction as pcs.verdicts). The key chooses the
 * reply partition (murmur2, as every keyed record), i.e. the gateway replica that waits for it.
 */
export const REPLY_KEY_HEADER = 'flk-reply-key';

/** A reply key the verifier accepts: short, printable ASCII; anything else is ignored. */
export const REPLY_KEY_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** version-traceid-parentid-flags, lowercase hex, version 00 (ff forbidden), ids not all zeros. */
const TRACEPARENT_PATTERN = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** True for a well-formed W3C traceparent value (what gets copied; anything else is dropped). */
export function isTraceparent(value: string | undefined): value is string {
  if (value === undefined || value.length !== 55) return false;
  const m = TRACEPARENT_PATTERN.exec(value);
  return m !== null && m[1] !== 'ff' && !/^0+$/.test(m[2]!) && !/^0+$/.test(m[3]!);
}

/** A fresh traceparent: random trace and parent ids, sampled (a submission that came without one). */
export function newTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}
