// The record and verdict shapes of the contract (shared/PCS-CONTRACT.md §1, §5 and §7 for v0.2).

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
  /** Optional and unsigned in v0.1; in v0.2 `tenant_id` is required and both are signed (§7.1). */
  tenant_id?: string;
  key_id?: string;
}

/** A record that passed v0.2 structure (§7.1). */
export type PcsV02 = Pcs & { version: '0.2'; tenant_id: string };

/** The eight fields covered by the signature (§2.1). */
export type SignedFields = Pick<Pcs, 'pcs_id' | 'merkle_root' | 'epoch' | 'shard_id' | 'D_hat' | 'coh_star' | 'r' | 'budget'>;

export const PCS_SCHEMA = 'fractal-lba-kakeya';
/** The versions this core knows (§1–§6 and §7). */
export const PCS_VERSIONS = ['0.1', '0.2'] as const;
export type PcsVersion = (typeof PCS_VERSIONS)[number];
/** v0.1: kept as the name of the first version (the v0.1 payload has no `version` member). */
export const PCS_VERSION: PcsVersion = '0.1';
export const PCS_VERSION_V02: PcsVersion = '0.2';

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
  /** The record's tenant_id (v0.2: signed; v0.1: as sent, unauthenticated), null when malformed. */
  tenant_id: string | null;
  /** The record's sent_at, null when malformed (end-to-end latency, §7.4 freshness). */
  sent_at: string | null;
  /** The record's version, null when malformed. */
  version: string | null;
  /** The record's key_id, null when absent or malformed. */
  key_id: string | null;
  /** True when signature checking was on and the record reached that stage (whatever its outcome). */
  signature_checked: boolean;
  /**
   * The decision policy (docs/policies.md) that decided it: id, SemVer version and content digest
   * (`sha256:<hex>`). Absent/null = decided without a policy set (before policies, or by a caller
   * that gives none, such as `flk pcs verify`). Set by the verifier, never by decide().
   */
  policy_id?: string | null;
  policy_version?: string | null;
  policy_digest?: string | null;
  /** The PII gate's findings (field paths such as `shard_id`, `ft.fallbacks[1]`, `tenant_id`); absent/empty = none found or gate off. */
  pii?: string[];
}

export type ValidationResult = { ok: true; pcs: Pcs } | { ok: false; reasons: string[]; pcs_id: string };
