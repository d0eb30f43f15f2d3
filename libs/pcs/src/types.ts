// The record and verdict shapes of contract v0.1 (shared/PCS-CONTRACT.md §1 and §5).

export type Regime = 'sticky' | 'mixed' | 'non_sticky';
export const REGIMES: readonly Regime[] = ['sticky', 'mixed', 'non_sticky'];

export interface PcsFt {
  outbox_seq: number;
  degraded: boolean;
  fallbacks: string[];
  clock_skew_ms: number;
}

export interface Pcs {
  pcs_id: string;
  schema: string;
  version: string;
  shard_id: string;
  epoch: number;
  attempt: number;
  sent_at: string;
  seed: number;
  scales: number[];
  N_j: Record<string, number>;
  coh_star: number;
  v_star: number[];
  D_hat: number;
  r: number;
  regime: Regime;
  budget: number;
  merkle_root: string;
  /** Base64 signature over the canonical payload (§2); absent when signing is off. */
  sig?: string;
  ft: PcsFt;
  /** Later, optional fields (§1). Not signed in v0.1. */
  tenant_id?: string;
  key_id?: string;
}

/** The eight fields covered by the signature (§2.1). */
export type SignedFields = Pick<Pcs, 'pcs_id' | 'merkle_root' | 'epoch' | 'shard_id' | 'D_hat' | 'coh_star' | 'r' | 'budget'>;

export const PCS_SCHEMA = 'fractal-lba-kakeya';
export const PCS_VERSION = '0.1';

export type VerdictStatus = 'accepted' | 'escalated' | 'rejected';

/** Where the decided record was read from (Kafka coordinates; offset as a decimal string). */
export interface VerdictSource {
  topic: string;
  partition: number;
  offset: string;
}

export interface Verdict {
  pcs_id: string;
  status: VerdictStatus;
  accepted: boolean;
  escalated: boolean;
  recomputed_D_hat: number | null;
  recomputed_budget: number | null;
  reason: string;
  reasons: string[];
  duplicate: boolean;
  /** ISO-8601 time of the decision (for a duplicate: of the original decision). */
  decided_at: string;
  source: VerdictSource | null;
  tenant_id: string | null;
}

export type ValidationResult = { ok: true; pcs: Pcs } | { ok: false; reasons: string[]; pcs_id: string };
