export { createWireCodec, loadSchema } from './wire-codec.js';
export type { DecodeResult, WireCodec, WireCodecOptions } from './wire-codec.js';
export { boundedType, AvroBoundsError } from './bounded-avro.js';
export { FlkRegistryError, RegistryUnavailableError, REGISTRY_ERROR_CODES } from './errors.js';
export type { RegistryErrorCode } from './errors.js';
export { decodeStoredVerdict, encodeStoredVerdict, STORED_VERDICT_FORMAT } from './stored-verdict.js';
