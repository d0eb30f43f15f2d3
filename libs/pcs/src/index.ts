// @flk/pcs: the pure core of FLK (contract v0.1, shared/PCS-CONTRACT.md; our choices in
// docs/contract.md). Values in, values out: no I/O, no clock, no environment.
export { FlkPcsError, PCS_ERROR_CODES, type PcsErrorCode } from './errors.js';
export {
  PCS_SCHEMA,
  PCS_VERSION,
  REGIMES,
  type Pcs,
  type PcsFt,
  type Regime,
  type SignedFields,
  type ValidationResult,
  type Verdict,
  type VerdictSource,
  type VerdictStatus,
} from './types.js';
export { sha256Hex } from './hash.js';
export { round9 } from './round.js';
export { base64Decode, base64Encode } from './base64.js';
export { canonicalPayload, computePcsId, signingDigest, SIGNED_KEYS } from './canonical.js';
export { parsePcsJson, validatePcs, PCS_LIMITS } from './validate.js';
export {
  constantTimeEqual,
  createEd25519Signer,
  createHmacSigner,
  createKeyRing,
  ed25519PublicKeyOf,
  generateEd25519KeyPair,
  signPcs,
  SIGN_ALGS,
  type KeyRing,
  type SignAlg,
  type Signer,
} from './sign.js';
export {
  coherenceDirections,
  COHERENCE_DEFAULTS,
  compressibility,
  computeBudget,
  computeCoherence,
  computeDHat,
  countBoxes,
  regimeOf,
} from './signals.js';
export { splitMix64, type SplitMix64 } from './prng.js';
export { merkleRoot } from './merkle.js';
export { buildPcs, DEFAULT_SCALES, type BuildPcsInput } from './build.js';
export {
  createDecisionParams,
  DEFAULT_BUDGET_WEIGHTS,
  DEFAULT_PARAMS,
  type BudgetWeights,
  type DecisionParams,
  type DecisionParamsInput,
} from './params.js';
export {
  decide,
  signalReasons,
  ESCALATION_REASONS,
  REASON_OK,
  REASON_SIGNATURE,
  type DecideMeta,
  type EscalationReason,
} from './decide.js';
export { silentLogger, systemClock, type ClaimResult, type Clock, type DedupStore, type LogFields, type Logger } from './ports.js';
