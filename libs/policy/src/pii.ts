// The PII gate's detector (docs/policies.md): emails, phone numbers and SSN-like strings in the
// user-originated strings of a record — shard_id, ft.fallbacks[i], tenant_id. Pure; what a finding
// does (count and flag, reject with reason `pii`, keep out of logs/metrics/audit) is the caller's
// mode. The patterns favour recall on these shapes over precision: a tenant named like a phone
// number is worth a look.
import type { Pcs } from '@flk/pcs';

export const PII_KINDS = ['email', 'phone', 'ssn'] as const;
export type PiiKind = (typeof PII_KINDS)[number];

const PATTERNS: ReadonlyArray<readonly [PiiKind, RegExp]> = [
  ['email', /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/],
  // US SSN shape 3-2-4 with a dash, dot or space separator (checked before phone: 123-45-6789 is not a phone).
  ['ssn', /(?<!\d)\d{3}[-. ]\d{2}[-. ]\d{4}(?!\d)/],
  // NANP 3-3-4 with separators, optional +1 / parentheses; or E.164 (+ and 8–15 digits).
  ['phone', /(?<![\d])(?:\+?1[-. ]?)?\(?\d{3}\)?[-. ]\d{3}[-. ]\d{4}(?!\d)|\+\d{8,15}(?!\d)/],
];

/** The first PII kind found in `text`, or null. */
export function piiKindOf(text: string): PiiKind | null {
  for (const [kind, re] of PATTERNS) if (re.test(text)) return kind;
  return null;
}

export interface PiiFinding {
  /** `shard_id`, `ft.fallbacks[2]` or `tenant_id`. */
  readonly path: string;
  readonly kind: PiiKind;
}

/** Every finding in the record's user-originated strings, in field order. */
export function detectPii(pcs: Pick<Pcs, 'shard_id' | 'ft' | 'tenant_id'>): PiiFinding[] {
  const out: PiiFinding[] = [];
  const check = (path: string, v: unknown) => {
    if (typeof v !== 'string') return;
    const kind = piiKindOf(v);
    if (kind !== null) out.push({ path, kind });
  };
  check('shard_id', pcs.shard_id);
  (pcs.ft?.fallbacks ?? []).forEach((f, i) => check(`ft.fallbacks[${i}]`, f));
  check('tenant_id', pcs.tenant_id);
  return out;
}

/** What logs, metric labels and the audit log show instead of a value in `redact` mode. */
export const REDACTED = '[redacted]';

/**
 * A verdict as the sink may keep it (audit line, metric label): every top-level member the PII gate
 * flagged (`pii`, in detect and redact mode alike) replaced by REDACTED, and the message key's
 * `tenant_id/` prefix too. Detect mode flags without hiding in the verifier, but an append-only,
 * tamper-evident log can never be scrubbed afterwards, so the sink keeps flagged values out of it
 * whatever the mode; pcs.verdicts itself carries the verdict unchanged.
 */
export function redactFlagged<V extends Readonly<Record<string, unknown>>>(verdict: V, key: string | null): { verdict: V; key: string | null } {
  const flagged = Array.isArray(verdict.pii) ? verdict.pii.filter((p): p is string => typeof p === 'string' && Object.hasOwn(verdict, p)) : [];
  if (flagged.length === 0) return { verdict, key };
  const out: Record<string, unknown> = { ...verdict };
  for (const field of flagged) if (typeof out[field] === 'string') out[field] = REDACTED;
  const tenant = verdict.tenant_id;
  const redactKey = flagged.includes('tenant_id') && typeof tenant === 'string' && key !== null && key.startsWith(`${tenant}/`);
  return { verdict: out as V, key: redactKey ? `${REDACTED}/${key.slice(tenant.length + 1)}` : key };
}
