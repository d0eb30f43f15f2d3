// Verdict helpers of the verifier: output keys and the verdict of a record that could not even be
// decoded. Pure functions. (The stored Redis form is @flk/registry's encode/decodeStoredVerdict.)
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

/**
 * A bounded metric label for a reason: `malformed:type:scales[3]` → `malformed:type`, anything
 * outside the vocabulary's alphabet → `other`, so attacker-chosen text cannot explode cardinality.
 */
export function reasonLabel(reason: string): string {
  const two = reason.split(':').slice(0, 2).join(':');
  return /^[a-z0-9_:]{1,48}$/.test(two) ? two : 'other';
}
