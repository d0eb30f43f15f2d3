// One error type per lib. A bad record or bad signature is *data* (a rejected verdict), never an
// exception; FlkPcsError is for programmer and configuration errors the caller must fix.
export const PCS_ERROR_CODES = {
  /** Key material that cannot be used (bad base64, wrong length, empty HMAC key, invalid point). */
  INVALID_KEY: 'PCS_INVALID_KEY',
  /** A function of the core was called with values it does not accept (a programmer error). */
  INVALID_ARGUMENT: 'PCS_INVALID_ARGUMENT',
  /** A v0.2 key ring document (PCS_KEYRING_FILE) that cannot be used; the message names the entry. */
  INVALID_KEYRING: 'PCS_INVALID_KEYRING',
  /** Decision parameters (tolerances, budget weights) that are not usable numbers. */
  INVALID_PARAMS: 'PCS_INVALID_PARAMS',
} as const;
export type PcsErrorCode = (typeof PCS_ERROR_CODES)[keyof typeof PCS_ERROR_CODES];

export class FlkPcsError extends Error {
  override readonly name = 'FlkPcsError';
  /** Retrying cannot fix a bad key, argument or parameter: every code of this lib is final. */
  readonly retriable = false;
  constructor(readonly code: PcsErrorCode, message: string) {
    super(message);
  }
}

/** Shorthand for the common case; keeps call sites to one line. */
export function invalidArgument(message: string): FlkPcsError {
  return new FlkPcsError(PCS_ERROR_CODES.INVALID_ARGUMENT, message);
}

/**
 * The one test of the errors convention every FLK package follows (errors carry `code` and
 * `retriable`): true only when the error says `retriable: true`. Anything else — a TypeError, a
 * thrown string, an error without the member — is final, so a bug is never retried in a loop.
 */
export function isRetriable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { retriable?: unknown }).retriable === true;
}
