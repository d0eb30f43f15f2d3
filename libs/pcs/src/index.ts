// @flk/pcs: the pure core of FLK (contract v0.1 and v0.2, shared/PCS-CONTRACT.md; our choices in
// docs/contract.md). Values in, values out: no I/O, no clock, no environment.
export { FlkPcsError, isRetriable, PCS_ERROR_CODES, type PcsErrorCode } from './errors.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export {
  PCS_SCHEMA,
  PCS_VERSION,
  PCS_VERSION_V02,
  PCS_VERSIONS,
  REGIMES,
  type Pcs,
  type PcsV02,
  type PcsVersion,
  type PcsFt,
  type Regime,
  type SignedFields,
  type ValidationResult,
  type Verdict,
  type VerdictSource,
  type VerdictStatus,
} from './types.js';
export { sha256Hex, sha256Utf8 } from './hash.js';
export { instantFromMs, parseRfc3339, parseSentAt, type Instant } from './time.js';
export { round9 } from './round.js';
export { base64Decode, base64Encode } from './base64.js';
export { canonicalPayload, canonicalPayloadV01, canonicalPayloadV02, computePcsId, signingDigest, SIGNED_KEYS } from './canonical.js';
export { ID_PATTERN, parsePcsJson, validatePcs, PCS_LIMITS } from './validate.js';
export {
  checkEd25519PublicKey,
  constantTimeEqual,
  decodeSignature,
  nobleSignatureCrypto,
  SIGNATURE_BYTES,
  type SignatureCrypto,
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
  DEFAULT_REGIME_THRESHOLDS,
  type BudgetWeights,
  type DecisionParams,
  type DecisionParamsInput,
  type RegimeThresholds,
} from './params.js';
export {
  checkRecord,
  createDecideConfig,
  decide,
  decideSignals,
  dedupKeyOf,
  signalReasons,
  verifiedTenant,
  withPrior,
  DEFAULT_DEDUP_TTL_SECONDS,
  DEFAULT_MAX_AGE_SECONDS,
  DEFAULT_MAX_SKEW_SECONDS,
  ESCALATION_REASONS,
  REASON_OK,
  REASON_SIGNATURE,
  REJECTION_REASONS,
  type CheckedRecord,
  type CheckResult,
  type DecideConfig,
  type DecideConfigInput,
  type DecideMeta,
  type EscalationReason,
} from './decide.js';
export {
  createTenantKeyRing,
  parseKeyRing,
  MAX_RING_KEYS,
  type KeyRingEntry,
  type KeyRingSources,
  type TenantKey,
  type TenantKeyAlg,
  type TenantKeyRing,
} from './keyring.js';
export { silentLogger, systemClock, type ClaimResult, type Clock, type DedupStore, type LogFields, type Logger } from './ports.js';
