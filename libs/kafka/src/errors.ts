// Errors of the Kafka adapter. kafkajs throws many error classes whose `retriable` flag means
// "kafkajs may retry this request", not "the pipeline may retry this batch"; this file maps them to
// three outcomes the pipeline acts on: retry later (unavailable), retry with a new producer
// (fenced), or stop (configuration / programmer error).
export const KAFKA_ERROR_CODES = {
  /** Brokers unreachable, timeouts, leader changes, coordinator moves: retry the batch later. */
  UNAVAILABLE: 'KAFKA_UNAVAILABLE',
  /** Another producer took over our transactional id (a rebalance, or a zombie): drop the producer. */
  FENCED: 'KAFKA_FENCED',
  /** Authentication/authorisation refused, unsupported broker: retrying cannot help. */
  CONFIG: 'KAFKA_CONFIG',
  /** kafkajs refused a call (illegal transaction state, bad argument): a bug on our side. */
  PROGRAMMER: 'KAFKA_PROGRAMMER_ERROR',
} as const;
export type KafkaErrorCode = (typeof KAFKA_ERROR_CODES)[keyof typeof KAFKA_ERROR_CODES];

export class FlkKafkaError extends Error {
  override readonly name: string = 'FlkKafkaError';
  readonly retriable: boolean = false;
  constructor(readonly code: KafkaErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class KafkaUnavailableError extends FlkKafkaError {
  override readonly name = 'KafkaUnavailableError';
  override readonly retriable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(KAFKA_ERROR_CODES.UNAVAILABLE, message, options);
  }
}

export class KafkaFencedError extends FlkKafkaError {
  override readonly name = 'KafkaFencedError';
  override readonly retriable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(KAFKA_ERROR_CODES.FENCED, message, options);
  }
}

export class KafkaConfigError extends FlkKafkaError {
  override readonly name = 'KafkaConfigError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(KAFKA_ERROR_CODES.CONFIG, message, options);
  }
}

export class KafkaProgrammerError extends FlkKafkaError {
  override readonly name = 'KafkaProgrammerError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(KAFKA_ERROR_CODES.PROGRAMMER, message, options);
  }
}

// Protocol error types (kafkajs `type`) meaning "your producer epoch is stale". PRODUCER_FENCED
// (code 90) is unknown to kafkajs 2.2.4, which reports it by code only.
const FENCED_TYPES = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'INVALID_PRODUCER_ID_MAPPING', 'TRANSACTIONAL_ID_NOT_FOUND']);
const FENCED_CODES = new Set([47, 49, 90]);
const CONFIG_TYPES = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'SASL_AUTHENTICATION_FAILED',
  'UNSUPPORTED_SASL_MECHANISM',
  'ILLEGAL_SASL_STATE',
  'UNSUPPORTED_VERSION',
  'INVALID_TRANSACTION_TIMEOUT',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
]);
const CONFIG_NAMES = new Set(['KafkaJSSASLAuthenticationError', 'KafkaJSServerDoesNotSupportApiKey', 'KafkaJSNotImplemented']);
const PROGRAMMER_NAMES = new Set(['KafkaJSInvariantViolation']);

interface KafkaJsLike {
  name?: unknown;
  message?: unknown;
  type?: unknown;
  code?: unknown;
  retriable?: unknown;
  cause?: unknown;
  originalError?: unknown;
}

/** The innermost error kafkajs wrapped (NumberOfRetriesExceeded wraps the last attempt's error). */
function causes(err: unknown): KafkaJsLike[] {
  const out: KafkaJsLike[] = [];
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    const e = cur as KafkaJsLike;
    out.push(e);
    cur = e.cause ?? e.originalError;
  }
  return out;
}

/** Maps anything kafkajs threw to a typed error. Already-typed errors pass through unchanged. */
export function toKafkaError(err: unknown, what: string): FlkKafkaError {
  if (err instanceof FlkKafkaError) return err;
  const chain = causes(err);
  const head = chain[0];
  const msg = `kafka: ${what} failed: ${typeof head?.message === 'string' ? head.message : String(err)}`;
  for (const e of chain) {
    if ((typeof e.type === 'string' && FENCED_TYPES.has(e.type)) || (typeof e.code === 'number' && FENCED_CODES.has(e.code))) {
      return new KafkaFencedError(msg, { cause: err });
    }
    if ((typeof e.type === 'string' && CONFIG_TYPES.has(e.type)) || (typeof e.name === 'string' && CONFIG_NAMES.has(e.name))) {
      return new KafkaConfigError(msg, { cause: err });
    }
  }
  const name = typeof head?.name === 'string' ? head.name : '';
  if (PROGRAMMER_NAMES.has(name)) return new KafkaProgrammerError(msg, { cause: err });
  // kafkajs' own guards (illegal transaction state transitions, missing arguments) throw plain
  // KafkaJSNonRetriableError with these messages: bugs in the caller, not outages.
  if (name === 'KafkaJSNonRetriableError' && typeof head?.message === 'string' && /Transaction state exception|Invalid transition|Missing|Must provide|Method unavailable/.test(head.message)) {
    return new KafkaProgrammerError(msg, { cause: err });
  }
  // Everything else kafkajs raises is an outage of some kind (connection, timeout, coordinator
  // moved, retries exhausted); a non-kafkajs error reaching here is a bug.
  if (name.startsWith('KafkaJS')) return new KafkaUnavailableError(msg, { cause: err });
  if (err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError) return new KafkaProgrammerError(msg, { cause: err });
  return new KafkaUnavailableError(msg, { cause: err });
}
