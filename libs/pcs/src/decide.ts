// §5: the verifier's decision, a pure function of the record, the parameters, the key ring and
// the prior verdict for the same pcs_id (read from the dedup store by the caller).
import { canonicalPayload, signingDigest } from './canonical.js';
import { invalidArgument } from './errors.js';
import type { DecisionParams } from './params.js';
import { round9 } from './round.js';
import type { KeyRing } from './sign.js';
import { computeBudget, computeDHat, regimeOf } from './signals.js';
import type { Pcs, ValidationResult, Verdict, VerdictSource } from './types.js';
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

export interface DecideMeta {
  /** ISO-8601 decision time (the caller's clock: decide stays pure). */
  decidedAt: string;
  source: VerdictSource | null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }); // keep a BOM: the JSON reader rejects it, as Python's json does;

/**
 * Structure → signature → dedup → signals (§5). `input` is a decoded value (validatePcs), JSON
 * text (parsePcsJson) or UTF-8 bytes of JSON text (invalid UTF-8: malformed:utf8).
 * `prior` is the stored verdict for this pcs_id, or null. Throws only on programmer errors
 * (a prior verdict for another pcs_id); a bad record or signature is a verdict.
 */
export function decide(input: unknown, params: DecisionParams, keyRing: KeyRing, prior: Verdict | null, meta: DecideMeta): Verdict {
  // A caller that omits source (undefined) means "no source": normalise once, compare and emit null.
  if (meta.source === undefined) meta = { ...meta, source: null };
  const checked = readInput(input);
  if (!checked.ok) {
    return verdict(checked.pcs_id, 'rejected', checked.reasons, null, null, meta, null);
  }
  const pcs = checked.pcs;
  const tenant = pcs.tenant_id ?? null;

  if (keyRing.alg !== 'none' && !keyRing.verify(keyRing.sha256 ? keyRing.sha256(canonicalPayload(pcs)) : signingDigest(pcs), pcs.sig)) {
    return verdict(pcs.pcs_id, 'rejected', [REASON_SIGNATURE], null, null, meta, tenant);
  }

  if (prior !== null && prior !== undefined) {
    if (prior.pcs_id !== pcs.pcs_id) throw invalidArgument(`decide: prior verdict is for ${prior.pcs_id}, not ${pcs.pcs_id}`);
    // Re-reading the very offset that produced the stored verdict (a crash before the commit)
    // re-publishes it as is; any other delivery of the same pcs_id is a duplicate.
    if (sameSource(prior.source, meta.source)) return prior;
    return { ...prior, duplicate: true, source: meta.source };
  }

  const { reasons, D_rec, budget_rec } = signalReasons(pcs, params);
  return verdict(pcs.pcs_id, reasons.length === 0 ? 'accepted' : 'escalated', reasons, D_rec, budget_rec, meta, tenant);
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
  if (pcs.regime !== regimeOf(D_rec, coh)) reasons.push('regime_mismatch');
  if (round9(Math.abs(budget_rep - budget_rec)) > params.tolBudget) reasons.push('budget_mismatch');
  if (pcs.ft.degraded) reasons.push('degraded');
  return { reasons, D_rec, budget_rec };
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

function verdict(
  pcs_id: string,
  status: Verdict['status'],
  reasons: string[],
  D_rec: number | null,
  budget_rec: number | null,
  meta: DecideMeta,
  tenant_id: string | null,
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
    tenant_id,
  };
}
