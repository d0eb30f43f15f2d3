// One error type for the lib. A policy document or set that cannot be used is a configuration
// error: final (retrying reads the same bytes), and it names every violation by its path.
export const POLICY_ERROR_CODES = {
  /** A policy document that fails the JSON Schema or a guard-rail; `violations` names each by path. */
  INVALID_POLICY: 'POLICY_INVALID',
  /** A set of documents that cannot be used together (no global default, two for one tenant, ...). */
  INVALID_POLICY_SET: 'POLICY_SET_INVALID',
} as const;
export type PolicyErrorCode = (typeof POLICY_ERROR_CODES)[keyof typeof POLICY_ERROR_CODES];

/** One problem of a document: a JSON Pointer-like path (`/params/budget/alpha`) and what is wrong there. */
export interface PolicyViolation {
  readonly path: string;
  readonly message: string;
}

export class FlkPolicyError extends Error {
  override readonly name = 'FlkPolicyError';
  readonly retriable = false;
  constructor(
    readonly code: PolicyErrorCode,
    message: string,
    readonly violations: readonly PolicyViolation[] = [],
  ) {
    super(violations.length === 0 ? message : `${message}: ${violations.map((v) => `${v.path} ${v.message}`).join('; ')}`);
  }
}
