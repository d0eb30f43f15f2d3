// Errors of the schema-registry adapter. A record that cannot be decoded is data (a `malformed:`
// verdict and a DLQ entry), not an exception; exceptions here are for the registry itself.
export const REGISTRY_ERROR_CODES = {
  UNAVAILABLE: 'REGISTRY_UNAVAILABLE',
  REGISTRATION_FAILED: 'REGISTRY_REGISTRATION_FAILED',
  NOT_INITIALISED: 'REGISTRY_NOT_INITIALISED',
  ENCODE_FAILED: 'REGISTRY_ENCODE_FAILED',
  UNAUTHORIZED: 'REGISTRY_UNAUTHORIZED',
} as const;
export type RegistryErrorCode = (typeof REGISTRY_ERROR_CODES)[keyof typeof REGISTRY_ERROR_CODES];

export class FlkRegistryError extends Error {
  override readonly name: string = 'FlkRegistryError';
  readonly retriable: boolean = false;
  constructor(readonly code: RegistryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The registry could not be reached or answered 5xx: pause and retry, never reject the record. */
export class RegistryUnavailableError extends FlkRegistryError {
  override readonly name = 'RegistryUnavailableError';
  override readonly retriable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(REGISTRY_ERROR_CODES.UNAVAILABLE, message, options);
  }
}
