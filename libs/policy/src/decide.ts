// Deciding under a policy: the verifier and `flk replay` share these, so a replay decides exactly
// as the verifier would. Which policy decides (§7.5: only a verified v0.2 tenant may select its
// override), the verdict's policy stamp, and the PII gate after the §5 signals.
import { decideSignals, type CheckedRecord, type DecideConfig, type DecideMeta, type Verdict } from '@flk/pcs';
import type { Policy } from './document.js';
import { detectPii } from './pii.js';
import type { PolicySet } from './set.js';

/** The policy that decides a checked record: the verified v0.2 tenant's override, else the global default. */
export function policyForRecord(set: PolicySet, record: CheckedRecord | null): Policy {
  if (record === null || record.pcs.version !== '0.2' || !record.signatureChecked || record.pcs.tenant_id === undefined) return set.global;
  return set.policyFor(record.pcs.tenant_id);
}

/** The verdict's policy stamp (the Avro members added with policies). */
export function stampPolicy(v: Verdict, p: Policy): Verdict {
  // pii always present once stamped, so the stored (Redis) verdict equals the Avro record (default []).
  return { ...v, policy_id: p.document.id, policy_version: p.document.version, policy_digest: p.digest, pii: v.pii ?? [] };
}

/**
 * §5 signals under `policy` (config.params must be policy.params), then its PII gate. The signed
 * record is never modified; only the verdict says what was found: `detect` and `redact` list the
 * fields in `pii`, `block` turns the verdict into `rejected`, reason `pii` (never stored for
 * dedup, like every rejection).
 */
export function decideUnderPolicy(record: CheckedRecord, policy: Policy, config: DecideConfig, meta: DecideMeta): Verdict {
  const v = stampPolicy(decideSignals(record, config, meta), policy);
  const mode = policy.document.pii.mode;
  if (mode === 'off') return v;
  const findings = detectPii(record.pcs);
  if (findings.length === 0) return v;
  const pii = findings.map((f) => f.path);
  if (mode === 'block') return { ...v, status: 'rejected', accepted: false, escalated: false, reason: REASON_PII, reasons: [REASON_PII], pii };
  return { ...v, pii };
}

/** The rejection reason of the PII gate's `block` mode. */
export const REASON_PII = 'pii';

/** True when `field` of this verdict's record must stay out of logs, metric labels and the audit log. */
export function isRedacted(v: Pick<Verdict, 'pii'>, field: 'tenant_id' | 'shard_id', mode: string): boolean {
  return mode === 'redact' && (v.pii ?? []).includes(field);
}
