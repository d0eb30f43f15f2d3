// §5 and §7.5: the verifier's decision, a pure function of the record, the configuration (params,
// keys, versions, freshness window), `now`, and the prior verdict for the same dedup key (read from
// the dedup store by the caller). It is split into the contract's stages so a pipeline runs each
// once per record:
//   checkRecord   structure → version accepted → signature → freshness: a final `rejected`
//                 verdict, or the validated record with its dedup key (every number read once);
//   decideSignals the §5 signal checks of a checked record: `accepted` / `escalated`;
//   withPrior     the stored verdict when the dedup key was already taken (never re-verified).
// `decide` composes them for callers without a dedup store in between (the CLI, tests).
import { canonicalPayload } from './canonical.js';
import { sha256Utf8 } from './hash.js';
import { invalidArgument } from './errors.js';
import type { TenantKeyRing } from './keyring.js';
import { DEFAULT_PARAMS, type DecisionParams } from './params.js';
import { round9 } from './round.js';
import type { KeyRing } from './sign.js';
import { computeBudget, computeDHat, regimeOf } from './signals.js';
import { instantFromMs, parseSentAt, secondsToNs, type Instant } from './time.js';
import { PCS_VERSIONS, PCS_VERSION_V02, type Pcs, type ValidationResult, type Verdict, type VerdictSource } from './types.js';
import { parsePcsJson, validatePcs } from './validate.js';

/** The escalation reasons of §5, in the order they are listed. */
export const ESCALATION_REASONS = [
  'd_hat_mismatch',
  'coh_star_out_of_range',
  'r_out_of_range',
  'regime_mismatch',
  'budget_mismatch',
  'degraded',
] as const;
export type EscalationReason = (typeof ESCALATION_REASONS)[number];
export const REASON_OK = 'ok';
export const REASON_SIGNATURE = 'signature';
/** §7.3–§7.4 and our version gate (docs/contract.md §7). */
export const REJECTION_REASONS = {
  SIGNATURE: 'signature',
  UNKNOWN_KEY: 'signature:unknown_key',
  TENANT_MISMATCH: 'signature:tenant_mismatch',
  KEY_WINDOW: 'signature:key_window',
  STALE: 'stale',
  CLOCK_SKEW: 'clock_skew',
  VERSION_NOT_ACCEPTED: 'version_not_accepted',
} as const;

/** Contract defaults (§6, §7.4, §7.7). */
export const DEFAULT_DEDUP_TTL_SECONDS = 1_209_600;
export const DEFAULT_MAX_AGE_SECONDS = 1_036_800;
export const DEFAULT_MAX_SKEW_SECONDS = 300;

/** Everything decide() needs besides the record: built once at start-up (createDecideConfig). */
export interface DecideConfig {
  readonly params: DecisionParams;
  /** False = PCS_SIGN_ALG=none: no signature is checked, for either version (verdicts say so). */
  readonly signatures: boolean;
  /** The v0.1 ring (any key accepted, §2.6); null = none configured (v0.1 signatures then fail). */
  readonly v01: KeyRing | null;
  /** The v0.2 ring (§7.3); null = none configured (every v0.2 record is signature:unknown_key). */
  readonly tenants: TenantKeyRing | null;
  readonly acceptVersions: ReadonlySet<string>;
  readonly maxAgeNs: bigint;
  readonly maxSkewNs: bigint;
  /** SHA-256 of a payload's UTF-8 bytes (a port: OpenSSL in the verifier, @noble by default). */
  readonly sha256: (payload: string) => Uint8Array;
}

export interface DecideConfigInput {
  params?: DecisionParams;
  /** Default: true when any ring with keys is given. */
  signatures?: boolean;
  v01?: KeyRing | null;
  tenants?: TenantKeyRing | null;
  acceptVersions?: readonly string[];
  maxAgeSeconds?: number;
  maxSkewSeconds?: number;
  sha256?: (payload: string) => Uint8Array;
}

/** A DecideConfig with the contract's defaults; checks what a caller could get wrong. */
export function createDecideConfig(input: DecideConfigInput = {}): DecideConfig {
  const v01 = input.v01 ?? null;
  const tenants = input.tenants ?? null;
  const signatures = input.signatures ?? ((v01 !== null && v01.alg !== 'none') || tenants !== null);
  const accept = input.acceptVersions ?? PCS_VERSIONS;
  if (accept.length === 0 || accept.some((v) => !(PCS_VERSIONS as readonly string[]).includes(v))) {
    throw invalidArgument(`acceptVersions must be a non-empty list of ${PCS_VERSIONS.join(', ')}`);
  }
  const maxAge = input.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS;
  const maxSkew = input.maxSkewSeconds ?? DEFAULT_MAX_SKEW_SECONDS;
  for (const [name, v] of [['maxAgeSeconds', maxAge], ['maxSkewSeconds', maxSkew]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw invalidArgument(`${name} must be a non-negative integer`);
  }
  return {
    params: input.params ?? DEFAULT_PARAMS,
    signatures,
    v01,
    tenants,
    acceptVersions: new Set(accept),
    maxAgeNs: secondsToNs(maxAge),
    maxSkewNs: secondsToNs(maxSkew),
    sha256: input.sha256 ?? v01?.sha256 ?? sha256Utf8,
  };
}


export interface DecideMeta {
  /** ISO-8601 decision time (the caller's clock: decide stays pure). */
  decidedAt: string;
  source: VerdictSource | null;
  /**
   * §7.4 `now`: the record's broker append time (ms since the epoch, or an Instant in ns). Needed
   * for v0.2 records; v0.1 records have no freshness check.
   */
  now?: number | Instant;
}

/** A record that passed structure, version, signature and freshness. */
export interface CheckedRecord {
  readonly pcs: Pcs;
  /** §7.5: `tenant_id/pcs_id` for v0.2, `pcs_id` for v0.1. */
  readonly dedupKey: string;
  readonly signatureChecked: boolean;
}

export type CheckResult = { readonly ok: true; readonly record: CheckedRecord } | { readonly ok: false; readonly verdict: Verdict };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }); // keep a BOM: the JSON reader rejects it, as Python's json does;

/** The dedup key of §7.5 for a validated record. */
export function dedupKeyOf(pcs: Pcs): string {
  return pcs.version === PCS_VERSION_V02 ? `${pcs.tenant_id}/${pcs.pcs_id}` : pcs.pcs_id;
}

/**
 * Structure → version → signature → freshness. `input` is a decoded value (validatePcs), JSON text
 * (parsePcsJson) or UTF-8 bytes of JSON text (invalid UTF-8: malformed:utf8). Never throws on bad
 * data; throws on programmer errors (a v0.2 record without `meta.now`).
 */
export function checkRecord(input: unknown, config: DecideConfig, meta: DecideMeta): CheckResult {
  const m = normaliseMeta(meta);
  const read = readInput(input);
  if (!read.ok) return { ok: false, verdict: makeVerdict(read.pcs_id, 'rejected', read.reasons, null, null, m, null, false) };
  const pcs = read.pcs;
  const reject = (reason: string, checked: boolean): CheckResult => ({ ok: false, verdict: makeVerdict(pcs.pcs_id, 'rejected', [reason], null, null, m, pcs, checked) });

  if (!config.acceptVersions.has(pcs.version)) return reject(REJECTION_REASONS.VERSION_NOT_ACCEPTED, false);
  const v02 = pcs.version === PCS_VERSION_V02;
  // v0.2: sent_at read once (validated, so it parses) for the key window and the freshness window.
  const sent = v02 ? parseSentAt(pcs.sent_at)! : 0n;
  let checked = false;
  if (config.signatures) {
    if (v02) {
      const failure = tenantSignatureFailure(pcs, sent, config);
      if (failure !== null) return reject(failure, true);
      checked = true;
    } else if (config.v01 === null) {
      return reject(REJECTION_REASONS.SIGNATURE, true);
    } else if (config.v01.alg !== 'none') {
      if (!config.v01.verify(config.sha256(canonicalPayload(pcs)), pcs.sig)) return reject(REJECTION_REASONS.SIGNATURE, true);
      checked = true;
    }
  }
  if (v02) {
    if (m.now === undefined) throw invalidArgument('checkRecord: meta.now is required for a v0.2 record (§7.4)');
    const now = typeof m.now === 'bigint' ? m.now : instantFromMs(m.now);
    if (now - sent > config.maxAgeNs) return reject(REJECTION_REASONS.STALE, checked);
    if (sent - now > config.maxSkewNs) return reject(REJECTION_REASONS.CLOCK_SKEW, checked);
  }
  return { ok: true, record: { pcs, dedupKey: dedupKeyOf(pcs), signatureChecked: checked } };
}

/** §7.3: the one key the record names, in the contract's order of failures; null = verified. */
function tenantSignatureFailure(pcs: Pcs, sent: Instant, config: DecideConfig): string | null {
  const key = pcs.key_id === undefined ? undefined : config.tenants?.get(pcs.key_id);
  if (key === undefined) return REJECTION_REASONS.UNKNOWN_KEY;
  if (key.tenant_id !== pcs.tenant_id) return REJECTION_REASONS.TENANT_MISMATCH;
  if ((key.notBefore !== null && sent < key.notBefore) || (key.notAfter !== null && sent > key.notAfter)) return REJECTION_REASONS.KEY_WINDOW;
  return key.verify(config.sha256(canonicalPayload(pcs)), pcs.sig) ? null : REJECTION_REASONS.SIGNATURE;
}

/** §5 signals of a checked record: `accepted`, or `escalated` with every reason that applies. */
export function decideSignals(record: CheckedRecord, config: DecideConfig, meta: DecideMeta): Verdict {
  const { reasons, D_rec, budget_rec } = signalReasons(record.pcs, config.params);
  return makeVerdict(record.pcs.pcs_id, reasons.length === 0 ? 'accepted' : 'escalated', reasons, D_rec, budget_rec, normaliseMeta(meta), record.pcs, record.signatureChecked);
}

/**
 * The answer for a record whose dedup key was already taken: the stored verdict, unchanged (the same
 * object) when it came from this very offset (re-reading after a crash before the commit),
 * otherwise flagged `duplicate` with this delivery's source (its decided_at stays the original's).
 */
export function withPrior(prior: Verdict, meta: DecideMeta): Verdict {
  const m = normaliseMeta(meta);
  if (sameSource(prior.source, m.source)) return prior;
  return { ...prior, duplicate: true, source: m.source };
}

/**
 * All stages in order (structure → version → signature → freshness → dedup → signals, §7.5).
 * `prior` is the stored verdict for this record's dedup key, or null. Throws only on programmer
 * errors (a prior verdict for another record, a v0.2 record without meta.now).
 */
export function decide(input: unknown, config: DecideConfig, prior: Verdict | null, meta: DecideMeta): Verdict {
  const checked = checkRecord(input, config, meta);
  if (!checked.ok) return checked.verdict;
  if (prior !== null && prior !== undefined) {
    const pcs = checked.record.pcs;
    if (prior.pcs_id !== pcs.pcs_id || (pcs.version === PCS_VERSION_V02 && prior.tenant_id !== pcs.tenant_id)) {
      throw invalidArgument(`decide: prior verdict is for ${prior.pcs_id}, not ${pcs.pcs_id}`);
    }
    return withPrior(prior, meta);
  }
  return decideSignals(checked.record, config, meta);
}

/**
 * The tenant a verdict may be attributed to (metric labels, quotas): only a v0.2 record whose
 * signature was verified (§7.5). Null otherwise, including v0.1 and unchecked records.
 */
export function verifiedTenant(v: Verdict): string | null {
  if (v.version !== PCS_VERSION_V02 || !v.signature_checked || v.reason.startsWith(REJECTION_REASONS.SIGNATURE)) return null;
  return v.tenant_id;
}

/**
 * §3/§5 on the values after rounding: D̂, regime and budget are recomputed from the rounded record
 * values, and every difference is itself rounded per §2.2 before it is compared with '>' — so a
 * difference exactly at the tolerance is within it, and float noise (1.56 − 1.41 =
 * 0.15000000000000013) cannot push a decimal tie over. Range bounds are round9(1 + tol).
 */
export function signalReasons(pcs: Pcs, params: DecisionParams): { reasons: string[]; D_rec: number; budget_rec: number } {
  const D_rep = round9(pcs.D_hat);
  const coh = round9(pcs.coh_star);
  const r = round9(pcs.r);
  const budget_rep = round9(pcs.budget);
  const D_rec = computeDHat(pcs.scales, pcs.N_j);
  const budget_rec = computeBudget(r, D_rec, coh, params.budget);
  const reasons: string[] = [];
  if (round9(Math.abs(D_rep - D_rec)) > params.tolD) reasons.push('d_hat_mismatch');
  if (coh < 0 || coh > round9(1 + params.tolCoh)) reasons.push('coh_star_out_of_range');
  if (r < 0 || r > round9(1 + params.tolR)) reasons.push('r_out_of_range');
  if (pcs.regime !== regimeOf(D_rec, coh, params.regime)) reasons.push('regime_mismatch');
  if (round9(Math.abs(budget_rep - budget_rec)) > params.tolBudget) reasons.push('budget_mismatch');
  if (pcs.ft.degraded) reasons.push('degraded');
  return { reasons, D_rec, budget_rec };
}

function normaliseMeta(meta: DecideMeta): DecideMeta {
  // A caller that omits source (undefined) means "no source": normalise once, compare and emit null.
  return meta.source === undefined ? { ...meta, source: null } : meta;
}

function readInput(input: unknown): ValidationResult {
  if (typeof input === 'string') return parsePcsJson(input);
  if (input instanceof Uint8Array) {
    let text: string;
    try {
      text = utf8.decode(input);
    } catch {
      return { ok: false, reasons: ['malformed:utf8'], pcs_id: '' };
    }
    return parsePcsJson(text);
  }
  return validatePcs(input);
}

function sameSource(a: VerdictSource | null, b: VerdictSource | null): boolean {
  if (a === null || b === null) return a === b;
  return a.topic === b.topic && a.partition === b.partition && a.offset === b.offset;
}

function makeVerdict(
  pcs_id: string,
  status: Verdict['status'],
  reasons: string[],
  D_rec: number | null,
  budget_rec: number | null,
  meta: DecideMeta,
  pcs: Pcs | null,
  signatureChecked: boolean,
): Verdict {
  return {
    pcs_id,
    status,
    accepted: status === 'accepted',
    escalated: status === 'escalated',
    recomputed_D_hat: D_rec,
    recomputed_budget: budget_rec,
    reason: reasons[0] ?? REASON_OK,
    reasons,
    duplicate: false,
    decided_at: meta.decidedAt,
    source: meta.source,
    tenant_id: pcs?.tenant_id ?? null,
    sent_at: pcs?.sent_at ?? null,
    version: pcs?.version ?? null,
    key_id: pcs?.key_id ?? null,
    signature_checked: signatureChecked,
  };
}

