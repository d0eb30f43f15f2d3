export { checkPolicy, checkPolicyText, parsePolicy, policyDigest, policyFromParams, canonicalPolicyJson, GUARD_RAILS, PII_MODES, POLICY_SCHEMA } from './document.js';
export type { PiiMode, Policy, PolicyCheck, PolicyDocument, PolicyParams } from './document.js';
export { diffPolicies, type PolicyChange } from './diff.js';
export { createPolicySet, parsePolicySet, viewOf, type PolicySet, type PolicySetView, type PolicySource, type PolicyView } from './set.js';
export { detectPii, piiKindOf, PII_KINDS, REDACTED, redactFlagged, type PiiFinding, type PiiKind } from './pii.js';
export { FlkPolicyError, POLICY_ERROR_CODES, type PolicyErrorCode, type PolicyViolation } from './errors.js';
export { decideUnderPolicy, isRedacted, policyForRecord, stampPolicy, REASON_PII } from './decide.js';
export { createReplayComparison, createReplayer, formatReplay, replayHtml, replaySvg, sameDecision, type Decision, type Replayer, type ReplayRecord, type ReplaySummary, type TenantReplay, type Transition, type TransitionExample } from './replay.js';
