// W3C trace context (https://www.w3.org/TR/trace-context/) on the records the agent publishes: the
// `traceparent` header that the verifier copies onto the verdict and DLQ records and the sink onto
// the audit line. The same rules as @flk/kafka's (this package is published on its own, without it).
import { randomBytes } from 'node:crypto';

export const TRACEPARENT_HEADER = 'traceparent';

const TRACEPARENT_PATTERN = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** version-traceid-parentid-flags, lowercase hex, version not ff, ids not all zeros. */
export function isTraceparent(value: string | undefined): value is string {
  if (value === undefined || value.length !== 55) return false;
  const m = TRACEPARENT_PATTERN.exec(value);
  return m !== null && m[1] !== 'ff' && !/^0+$/.test(m[2]!) && !/^0+$/.test(m[3]!);
}

/** A fresh traceparent: random trace and parent ids, sampled. */
export function newTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}
