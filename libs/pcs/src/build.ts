// What an agent does (§1, §3, §4): from its points and data chunks to a complete, signed record.
import { computePcsId } from './canonical.js';
import { FlkPcsError, invalidArgument, PCS_ERROR_CODES } from './errors.js';
import { merkleRoot } from './merkle.js';
import { DEFAULT_PARAMS, type DecisionParams } from './params.js';
import { round9 } from './round.js';
import { signPcs, type Signer } from './sign.js';
import { compressibility, computeBudget, computeCoherence, computeDHat, countBoxes, regimeOf } from './signals.js';
import { PCS_SCHEMA, PCS_VERSION, PCS_VERSION_V02, PCS_VERSIONS, type Pcs, type PcsVersion } from './types.js';
import { validatePcs } from './validate.js';

export const DEFAULT_SCALES: readonly number[] = Object.freeze([2, 4, 8, 16, 32]);

export interface BuildPcsInput {
  shard_id: string;
  epoch: number;
  /** Delivery attempt, 1 for the first send (default 1). */
  attempt?: number;
  /** Seeds the coh★ directions (§3). */
  seed: number;
  /** ISO-8601 time of sending. */
  sent_at: string;
  /** The point cloud (at least one point, all of one dimension). */
  points: number[][];
  /** The raw data, in order: r is over their concatenation, the Merkle root over the list. */
  chunks: Uint8Array[];
  scales?: number[];
  outbox_seq?: number;
  degraded?: boolean;
  fallbacks?: string[];
  clock_skew_ms?: number;
  /** Required for v0.2 (§7.1); in v0.1 optional and unsigned. */
  tenant_id?: string;
  /** v0.2: names the signing key in the verifier's ring (§7.3). */
  key_id?: string;
  /** Default '0.1' (an agent chooses; @flk/agent defaults to '0.2'). */
  version?: PcsVersion;
}

/**
 * Builds a record. Signals are stored rounded per §2.2 (D̂, coh★, r, budget), and regime and budget
 * are derived from those rounded values, exactly as the verifier recomputes them, so an honest
 * record is accepted. Signed when a signer is given. Throws FlkPcsError on unusable input,
 * including anything that would make the record fail validation (the result is validated).
 */
export function buildPcs(input: BuildPcsInput, signer?: Signer, params: DecisionParams = DEFAULT_PARAMS): Pcs {
  if (typeof input !== 'object' || input === null) throw invalidArgument('buildPcs: input must be an object');
  const scales = [...(input.scales ?? DEFAULT_SCALES)];
  if (!Array.isArray(input.points) || input.points.length === 0) throw invalidArgument('buildPcs: at least one point is needed');
  if (!Array.isArray(input.chunks) || !input.chunks.every((c) => c instanceof Uint8Array)) throw invalidArgument('buildPcs: chunks must be Uint8Arrays');
  if (!Number.isSafeInteger(input.epoch)) throw invalidArgument('buildPcs: epoch must be an integer within ±(2^53 − 1)');
  const version = input.version ?? PCS_VERSION;
  if (!PCS_VERSIONS.includes(version)) throw invalidArgument(`buildPcs: unknown version '${String(version)}'`);
  if (version === PCS_VERSION_V02 && input.tenant_id === undefined) throw invalidArgument('buildPcs: a v0.2 record needs a tenant_id');

  const N_j = countBoxes(input.points, scales);
  const D_hat = computeDHat(scales, N_j);
  const { coh_star: cohRaw, v_star } = computeCoherence(input.points, input.seed);
  const coh_star = round9(cohRaw);
  const r = round9(compressibility(concat(input.chunks)));
  const merkle_root = merkleRoot(input.chunks);
  const regime = regimeOf(D_hat, coh_star);
  const budget = computeBudget(r, D_hat, coh_star, params.budget);

  const rec: Pcs = {
    pcs_id: computePcsId(merkle_root, input.epoch, input.shard_id),
    schema: PCS_SCHEMA,
    version,
    shard_id: input.shard_id,
    epoch: input.epoch,
    attempt: input.attempt ?? 1,
    sent_at: input.sent_at,
    seed: input.seed,
    scales,
    N_j,
    coh_star,
    v_star,
    D_hat,
    r,
    regime,
    budget,
    merkle_root,
    ft: {
      outbox_seq: input.outbox_seq ?? 0,
      degraded: input.degraded ?? false,
      fallbacks: [...(input.fallbacks ?? [])],
      clock_skew_ms: input.clock_skew_ms ?? 0,
    },
  };
  if (input.tenant_id !== undefined) rec.tenant_id = input.tenant_id;
  if (input.key_id !== undefined) rec.key_id = input.key_id;
  const out = signer === undefined ? rec : signPcs(rec, signer);
  // Never emit what a verifier would reject as malformed (e.g. an over-long shard_id).
  const check = validatePcs(out);
  if (!check.ok) throw new FlkPcsError(PCS_ERROR_CODES.INVALID_ARGUMENT, `buildPcs: the record would be malformed (${check.reasons.join(', ')})`);
  return out;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const c of chunks) total += c.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
