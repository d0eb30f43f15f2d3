// One error type per lib. A bad record or bad signature is *data* (a rejected verdict), never an
// exception; FlkPcsError is for programmer and configuration errors the caller must fix.
export const PCS_ERROR_CODES = {
  INVALID_KEY: 'PCS_INVALID_KEY',
  INVALID_ARGUMENT: 'PCS_INVALID_ARGUMENT',
  INVALID_PARAMS: 'PCS_INVALID_PARAMS',
} as const;
export type PcsErrorCode = (typeof PCS_ERROR_CODES)[keyof typeof PCS_ERROR_CODES];

export class FlkPcsError extends Error {
  override readonly name = 'FlkPcsError';
  /** Retrying cannot fix a bad key or argument. */
  readonly retriable = false;
  constructor(readonly code: PcsErrorCode, message: string) {
    super(message);
  }
}
