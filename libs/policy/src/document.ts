// A decision policy document (docs/policies.md): id, SemVer version, optional tenant scope, every
// parameter of contract §4–§5 and the PII gate mode. Checked in two layers, both naming each
// violation by its path: the JSON Schema (ajv, draft 2020-12: shape, types, ranges) and the
// guard-rails a schema cannot say (ordered thresholds). The content digest is the SHA-256 of a
// canonical form, so two files that differ only in whitespace or key order have one digest.
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { DEFAULT_REGIME_THRESHOLDS, sha256Hex, type DecisionParams } from '@flk/pcs';
import { FlkPolicyError, POLICY_ERROR_CODES, type PolicyViolation } from './errors.js';

export const PII_MODES = ['off', 'detect', 'block', 'redact'] as const;
export type PiiMode = (typeof PII_MODES)[number];

export interface PolicyParams {
  tolD: number;
  tolCoh: number;
  tolR: number;
  tolBudget: number;
  budget: { base: number; alpha: number; beta: number; gamma: number; D0: number };
  regime: { stickyCohMin: number; stickyDMax: number; nonStickyDMin: number };
}

export interface PolicyDocument {
  id: string;
  version: string;
  /** Absent = the global default; set = an override for this verified v0.2 tenant (§7.5). */
  tenant?: string;
  description?: string;
  params: PolicyParams;
  pii: { mode: PiiMode };
}

/** A validated document with its content digest (`sha256:<64 hex>`). */
export interface Policy {
  readonly document: PolicyDocument;
  readonly digest: string;
  readonly params: DecisionParams;
}

/**
 * The guard-rails (the seeds': weights in [0, 1], coh★ bound ≤ 1 + ε, thresholds ordered,
 * tolerances ≥ 0, budget bounded). The upper bounds are where a check stops meaning anything:
 * budget ∈ [0, 1], so tolBudget ≥ 0.5 accepts nearly any reported budget; tolCoh > ε lets coh★,
 * a fraction, exceed 1 by more than float slack.
 */
export const GUARD_RAILS = {
  /** ε of "coh★ bound ≤ 1 + ε": the largest tolCoh (and tolR, r being a ratio ≤ ~1). */
  cohEpsilon: 0.1,
  maxTolD: 1,
  maxTolR: 0.1,
  maxTolBudget: 0.5,
  maxD0: 4,
  /** D̂ of a box-counting dimension in a 2–3-dimensional embedding: thresholds beyond this are typos. */
  maxDThreshold: 4,
} as const;

// §7.1's id alphabet, for policy ids and tenant scopes alike.
const ID_PATTERN = '^[a-z0-9][a-z0-9._-]{0,63}$';
// SemVer 2.0.0 (semver.org's recommended expression).
const SEMVER_PATTERN =
  '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$';

const num = (minimum: number, maximum: number, description: string) => ({ type: 'number', minimum, maximum, description });

/** The policy document's JSON Schema (draft 2020-12). Published as schemas/policy-v1.schema.json by a test. */
export const POLICY_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://flk.io/schemas/policy-v1.schema.json',
  title: 'FLK decision policy',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'version', 'params', 'pii'],
  properties: {
    id: { type: 'string', pattern: ID_PATTERN },
    version: { type: 'string', pattern: SEMVER_PATTERN, description: 'SemVer 2.0.0' },
    tenant: { type: 'string', pattern: ID_PATTERN, description: 'absent = global default; else the verified v0.2 tenant it overrides for' },
    description: { type: 'string', maxLength: 2000 },
    params: {
      type: 'object',
      additionalProperties: false,
      required: ['tolD', 'tolCoh', 'tolR', 'tolBudget', 'budget', 'regime'],
      properties: {
        tolD: num(0, GUARD_RAILS.maxTolD, '§5 |D̂ reported − recomputed| tolerance'),
        tolCoh: num(0, GUARD_RAILS.cohEpsilon, '§5 coh★ ∈ [0, 1 + tolCoh]'),
        tolR: num(0, GUARD_RAILS.maxTolR, '§5 r ∈ [0, 1 + tolR]'),
        tolBudget: num(0, GUARD_RAILS.maxTolBudget, '§5 |budget reported − recomputed| tolerance'),
        budget: {
          type: 'object',
          additionalProperties: false,
          required: ['base', 'alpha', 'beta', 'gamma', 'D0'],
          properties: {
            base: num(0, 1, '§4 base'),
            alpha: num(0, 1, '§4 α'),
            beta: num(0, 1, '§4 β'),
            gamma: num(0, 1, '§4 γ'),
            D0: num(0, GUARD_RAILS.maxD0, '§4 D0'),
          },
        },
        regime: {
          type: 'object',
          additionalProperties: false,
          required: ['stickyCohMin', 'stickyDMax', 'nonStickyDMin'],
          properties: {
            stickyCohMin: num(0, 1, '§4 sticky if coh★ ≥ this …'),
            stickyDMax: num(0, GUARD_RAILS.maxDThreshold, '… and D̂ ≤ this'),
            nonStickyDMin: num(0, GUARD_RAILS.maxDThreshold, '§4 non_sticky if D̂ ≥ this'),
          },
        },
      },
    },
    pii: {
      type: 'object',
      additionalProperties: false,
      required: ['mode'],
      properties: { mode: { enum: [...PII_MODES] } },
    },
  },
} as const;

const ajv = new Ajv2020({ allErrors: true, strict: true });
const validateSchema = ajv.compile(POLICY_SCHEMA);

function schemaViolation(e: ErrorObject): PolicyViolation {
  const base = e.instancePath === '' ? '' : e.instancePath;
  if (e.keyword === 'required') return { path: `${base}/${(e.params as { missingProperty: string }).missingProperty}`, message: 'is required' };
  if (e.keyword === 'additionalProperties') return { path: `${base}/${(e.params as { additionalProperty: string }).additionalProperty}`, message: 'is not a policy field' };
  if (e.keyword === 'enum') return { path: base, message: `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}` };
  return { path: base === '' ? '/' : base, message: e.message ?? e.keyword };
}

/** The guard-rails beyond the schema; run even when the schema failed elsewhere, so every violation is named at once. */
function guardRails(value: unknown): PolicyViolation[] {
  const out: PolicyViolation[] = [];
  const regime = (value as { params?: { regime?: { stickyDMax?: unknown; nonStickyDMin?: unknown } } } | null)?.params?.regime;
  const lo = regime?.stickyDMax;
  const hi = regime?.nonStickyDMin;
  if (typeof lo === 'number' && typeof hi === 'number' && !(lo < hi)) {
    out.push({ path: '/params/regime/stickyDMax', message: `must be below /params/regime/nonStickyDMin (${hi}): thresholds must be ordered` });
  }
  return out;
}

export type PolicyCheck = { readonly ok: true; readonly policy: Policy } | { readonly ok: false; readonly violations: readonly PolicyViolation[] };

/** Validates a decoded value: schema first (every violation), then the guard-rails. Never throws. */
export function checkPolicy(value: unknown): PolicyCheck {
  const schemaOk = validateSchema(value);
  const violations = [...(schemaOk ? [] : (validateSchema.errors ?? []).map(schemaViolation)), ...guardRails(value)];
  if (violations.length > 0) return { ok: false, violations };
  return { ok: true, policy: policyOf(value as unknown as PolicyDocument) };
}

/** Parses JSON text and validates it; an unparsable text is one violation at `/`. Never throws. */
export function checkPolicyText(text: string): PolicyCheck {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, violations: [{ path: '/', message: `not JSON: ${(err as Error).message}` }] };
  }
  return checkPolicy(value);
}

/** checkPolicyText that throws FlkPolicyError (POLICY_INVALID) naming `name` and every violation. */
export function parsePolicy(text: string, name: string): Policy {
  const r = checkPolicyText(text);
  if (!r.ok) throw new FlkPolicyError(POLICY_ERROR_CODES.INVALID_POLICY, `policy ${name} refused`, r.violations);
  return r.policy;
}

function policyOf(doc: PolicyDocument): Policy {
  const p = doc.params;
  const params: DecisionParams = {
    tolD: p.tolD,
    tolCoh: p.tolCoh,
    tolR: p.tolR,
    tolBudget: p.tolBudget,
    budget: { ...p.budget },
    regime: { ...p.regime },
  };
  return Object.freeze({ document: doc, digest: policyDigest(doc), params });
}

/** Keys sorted at every level, no whitespace: the form the digest is taken of. */
export function canonicalPolicyJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalPolicyJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalPolicyJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function policyDigest(doc: PolicyDocument): string {
  return `sha256:${sha256Hex(canonicalPolicyJson(doc))}`;
}

/** A document holding `params` as they stand (e.g. the verifier's env-configured ones), for a verifier without a policy set. */
export function policyFromParams(params: DecisionParams, meta: { id: string; version: string; description?: string }): Policy {
  const doc: PolicyDocument = {
    id: meta.id,
    version: meta.version,
    ...(meta.description !== undefined && { description: meta.description }),
    params: {
      tolD: params.tolD,
      tolCoh: params.tolCoh,
      tolR: params.tolR,
      tolBudget: params.tolBudget,
      budget: { ...params.budget },
      regime: { ...(params.regime ?? DEFAULT_REGIME_THRESHOLDS) },
    },
    pii: { mode: 'off' },
  };
  return policyOf(doc);
}
