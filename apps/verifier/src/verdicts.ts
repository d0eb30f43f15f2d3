// Verdict helpers of the verifier: output keys, the stored (Redis) form, and the verdict of a
// record that could not even be decoded. Pure functions.
import { PCS_VERSION_V02, type Verdict, type VerdictSource } from '@flk/pcs';

/**
 * The key on pcs.verdicts: the dedup key (§7.5: `tenant_id/pcs_id` for v0.2, `pcs_id` for v0.1)
 * for records that passed every check before dedup, otherwise `rejected:<topic>:<partition>:<offset>`
 * — a rejected record's ids are attacker-chosen and must never share (and, compacted, shadow) the
 * key of a real verdict.
 */
export function verdictKey(v: Verdict, source: VerdictSource): string {
  if (v.status === 'rejected') return `rejected:${source.topic}:${source.partition}:${source.offset}`;
  return v.version === PCS_VERSION_V02 ? `${v.tenant_id}/${v.pcs_id}` : v.pcs_id;
}

/** The DLQ key: where the input came from. */
export function dlqKey(source: VerdictSource): string {
  return `${source.topic}:${source.partition}:${source.offset}`;
}

/** The verdict for bytes that are not a PCS at all (wire/Avro level): rejected, reason from the codec. */
export function undecodableVerdict(reason: string, meta: { decidedAt: string; source: VerdictSource }): Verdict {
  return {
    pcs_id: '',
    status: 'rejected',
    accepted: false,
    escalated: false,
    recomputed_D_hat: null,
    recomputed_budget: null,
    reason,
    reasons: [reason],
    duplicate: false,
    decided_at: meta.decidedAt,
    source: meta.source,
    tenant_id: null,
    sent_at: null,
    version: null,
    key_id: null,
    signature_checked: false,
  };
}

const STATUSES = new Set(['accepted', 'escalated', 'rejected']);
const isNumOrNull = (v: unknown) => v === null || typeof v === 'number';
/** Members added after the first stored verdicts: absent in a verdict stored by an older verifier. */
const isOptStr = (v: unknown) => v === undefined || v === null || typeof v === 'string';

/**
 * Parses a verdict read back from the dedup store. Returns null when the value is not a verdict
 * for `pcsId` (corrupted, or written by something else): the caller must not trust it.
 */
export function parseStoredVerdict(text: string, pcsId: string): Verdict | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  const src = o.source as Record<string, unknown> | null | undefined;
  const ok =
    o.pcs_id === pcsId &&
    typeof o.status === 'string' && STATUSES.has(o.status) &&
    typeof o.accepted === 'boolean' && typeof o.escalated === 'boolean' &&
    isNumOrNull(o.recomputed_D_hat) && isNumOrNull(o.recomputed_budget) &&
    typeof o.reason === 'string' &&
    Array.isArray(o.reasons) && o.reasons.every((x) => typeof x === 'string') &&
    typeof o.duplicate === 'boolean' &&
    typeof o.decided_at === 'string' &&
    (src === null || (typeof src === 'object' && typeof src.topic === 'string' && typeof src.partition === 'number' && typeof src.offset === 'string')) &&
    (o.tenant_id === null || typeof o.tenant_id === 'string') &&
    isOptStr(o.sent_at) && isOptStr(o.version) && isOptStr(o.key_id) &&
    (o.signature_checked === undefined || typeof o.signature_checked === 'boolean') &&
    isOptStr(o.policy_id) && isOptStr(o.policy_version) && isOptStr(o.policy_digest) &&
    (o.pii === undefined || (Array.isArray(o.pii) && o.pii.every((x) => typeof x === 'string')));
  if (!ok) return null;
  return {
    pcs_id: o.pcs_id as string,
    status: o.status as Verdict['status'],
    accepted: o.accepted as boolean,
    escalated: o.escalated as boolean,
    recomputed_D_hat: o.recomputed_D_hat as number | null,
    recomputed_budget: o.recomputed_budget as number | null,
    reason: o.reason as string,
    reasons: [...(o.reasons as string[])],
    duplicate: o.duplicate as boolean,
    decided_at: o.decided_at as string,
    source: src === null ? null : { topic: src!.topic as string, partition: src!.partition as number, offset: src!.offset as string },
    tenant_id: o.tenant_id as string | null,
    sent_at: (o.sent_at as string | null | undefined) ?? null,
    version: (o.version as string | null | undefined) ?? null,
    key_id: (o.key_id as string | null | undefined) ?? null,
    signature_checked: (o.signature_checked as boolean | undefined) ?? false,
    // Stored by a verifier with a policy set (docs/policies.md): a duplicate keeps the original's policy.
    ...(typeof o.policy_id === 'string' && { policy_id: o.policy_id, policy_version: (o.policy_version as string | null | undefined) ?? null, policy_digest: (o.policy_digest as string | null | undefined) ?? null }),
    ...(Array.isArray(o.pii) && { pii: [...(o.pii as string[])] }),
  };
}

/**
 * A bounded metric label for a reason: `malformed:type:scales[3]` → `malformed:type`, anything
 * outside the vocabulary's alphabet → `other`, so attacker-chosen text cannot explode cardinality.
 */
export function reasonLabel(reason: string): string {
  const two = reason.split(':').slice(0, 2).join(':');
  return /^[a-z0-9_:]{1,48}$/.test(two) ? two : 'other';
}
