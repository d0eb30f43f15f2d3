// The registry's errors. Every error a client can see carries Confluent's numeric `error_code`
// (https://docs.confluent.io/platform/current/schema-registry/develop/api.html#errors) and the HTTP
// status derived from it; `code` is the stable symbolic name used in logs; `retriable` is fixed by
// each subclass (only store trouble is worth retrying, a bad request stays bad).

export const REGISTRY_ERROR_CODES = {
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE_ENTITY: 422,
  INCOMPATIBLE_SCHEMA: 409,
  SUBJECT_NOT_FOUND: 40401,
  VERSION_NOT_FOUND: 40402,
  SCHEMA_NOT_FOUND: 40403,
  SUBJECT_SOFT_DELETED: 40404,
  SUBJECT_NOT_SOFT_DELETED: 40405,
  VERSION_SOFT_DELETED: 40406,
  VERSION_NOT_SOFT_DELETED: 40407,
  SUBJECT_COMPATIBILITY_NOT_CONFIGURED: 40408,
  INVALID_SCHEMA: 42201,
  INVALID_VERSION: 42202,
  INVALID_COMPATIBILITY_LEVEL: 42203,
  STORE_ERROR: 50001,
  OPERATION_TIMEOUT: 50002,
  INTERNAL: 500,
} as const;

export type RegistryErrorCode = keyof typeof REGISTRY_ERROR_CODES;

/** HTTP status of a Confluent error code: 3 digits are a status, 5 digits are status * 100 + n. */
export function httpStatusOf(errorCode: number): number {
  return errorCode >= 10000 ? Math.floor(errorCode / 100) : errorCode;
}

export abstract class RegistryError extends Error {
  abstract readonly retriable: boolean;
  readonly errorCode: number;
  readonly status: number;
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
    this.errorCode = REGISTRY_ERROR_CODES[code];
    this.status = httpStatusOf(this.errorCode);
  }

  /** The response body Confluent's API returns for an error. */
  toBody(): { error_code: number; message: string } {
    return { error_code: this.errorCode, message: this.message };
  }
}

/** The request is wrong (unknown path or resource, malformed body, invalid schema, ...). */
export class RequestError extends RegistryError {
  readonly retriable = false;
}

/** The schema is valid but breaks the subject's compatibility rule (HTTP 409). */
export class IncompatibleSchemaError extends RegistryError {
  readonly retriable = false;
  constructor(
    readonly subject: string,
    readonly messages: readonly string[],
  ) {
    super(
      'INCOMPATIBLE_SCHEMA',
      `Schema being registered is incompatible with an earlier schema for subject "${subject}", details: [${messages.join(', ')}]`,
    );
  }
}

/** The Kafka-backed store failed or timed out; the write may be retried. */
export class StoreError extends RegistryError {
  readonly retriable = true;
}

/** A bug: an invariant did not hold. Never retried. */
export class InternalError extends RegistryError {
  readonly retriable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super('INTERNAL', message, options);
  }
}

// Constructors for the errors with Confluent's wording, so every call site says the same thing.
export const errors = {
  subjectNotFound: (subject: string) => new RequestError('SUBJECT_NOT_FOUND', `Subject '${subject}' not found.`),
  versionNotFound: (version: number | string) => new RequestError('VERSION_NOT_FOUND', `Version ${version} not found.`),
  schemaNotFound: (id?: number | string) =>
    new RequestError('SCHEMA_NOT_FOUND', id === undefined ? 'Schema not found' : `Schema ${id} not found`),
  subjectSoftDeleted: (subject: string) =>
    new RequestError('SUBJECT_SOFT_DELETED', `Subject '${subject}' was soft deleted. Set permanent=true to delete permanently`),
  subjectNotSoftDeleted: (subject: string) =>
    new RequestError('SUBJECT_NOT_SOFT_DELETED', `Subject '${subject}' was not deleted first before being permanently deleted`),
  versionSoftDeleted: (subject: string, version: number) =>
    new RequestError(
      'VERSION_SOFT_DELETED',
      `Subject '${subject}' Version ${version} was soft deleted. Set permanent=true to delete permanently`,
    ),
  versionNotSoftDeleted: (subject: string, version: number) =>
    new RequestError(
      'VERSION_NOT_SOFT_DELETED',
      `Subject '${subject}' Version ${version} was not deleted first before being permanently deleted`,
    ),
  subjectCompatibilityNotConfigured: (subject: string) =>
    new RequestError(
      'SUBJECT_COMPATIBILITY_NOT_CONFIGURED',
      `Subject '${subject}' does not have subject-level compatibility configured`,
    ),
  invalidSchema: (detail: string) => new RequestError('INVALID_SCHEMA', `Invalid schema: ${detail}`),
  invalidVersion: (version: string) =>
    new RequestError(
      'INVALID_VERSION',
      `The specified version '${version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
    ),
  invalidCompatibilityLevel: () =>
    new RequestError(
      'INVALID_COMPATIBILITY_LEVEL',
      'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive',
    ),
  badRequest: (message: string) => new RequestError('BAD_REQUEST', message),
  unprocessable: (message: string) => new RequestError('UNPROCESSABLE_ENTITY', message),
  notFound: () => new RequestError('NOT_FOUND', 'HTTP 404 Not Found'),
  methodNotAllowed: () => new RequestError('METHOD_NOT_ALLOWED', 'HTTP 405 Method Not Allowed'),
  payloadTooLarge: (limit: number) => new RequestError('PAYLOAD_TOO_LARGE', `Request body larger than ${limit} bytes`),
  unsupportedMediaType: () => new RequestError('UNSUPPORTED_MEDIA_TYPE', 'HTTP 415 Unsupported Media Type'),
  storeError: (message: string, cause?: unknown) => new StoreError('STORE_ERROR', message, { cause }),
  storeTimeout: (message: string) => new StoreError('OPERATION_TIMEOUT', message),
};
