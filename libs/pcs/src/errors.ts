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
