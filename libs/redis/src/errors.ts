// Errors of the Redis adapter. A claim that finds the key taken is a result, not an error; these
// are for Redis itself. `retriable` is fixed per class: the caller retries only retriable errors.
export const REDIS_ERROR_CODES = {
  /** Connection refused/reset/closed, timeout, LOADING, READONLY, MASTERDOWN, OOM...: try again later. */
  UNAVAILABLE: 'REDIS_UNAVAILABLE',
  /** The server is older than the commands we rely on (SET ... NX GET needs Redis 7.0). */
  VERSION_UNSUPPORTED: 'REDIS_VERSION_UNSUPPORTED',
  /** Redis answered with an error retrying cannot fix (WRONGTYPE, syntax, NOAUTH/WRONGPASS...). */
  COMMAND_FAILED: 'REDIS_COMMAND_FAILED',
  /** WAIT returned fewer replica acks than required: the claims may not survive a failover yet. */
  REPLICA_ACK_SHORT: 'REDIS_REPLICA_ACK_SHORT',
  /** A caller passed a value this adapter refuses (empty key, bad TTL): a programmer error. */
  INVALID_ARGUMENT: 'REDIS_INVALID_ARGUMENT',
} as const;
export type RedisErrorCode = (typeof REDIS_ERROR_CODES)[keyof typeof REDIS_ERROR_CODES];

export class FlkRedisError extends Error {
  override readonly name: string = 'FlkRedisError';
  readonly retriable: boolean = false;
  constructor(readonly code: RedisErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class RedisUnavailableError extends FlkRedisError {
  override readonly name = 'RedisUnavailableError';
  override readonly retriable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(REDIS_ERROR_CODES.UNAVAILABLE, message, options);
  }
}

export class RedisVersionError extends FlkRedisError {
  override readonly name = 'RedisVersionError';
  constructor(readonly serverVersion: string, readonly required: string) {
    super(REDIS_ERROR_CODES.VERSION_UNSUPPORTED, `Redis ${serverVersion} is too old: ${required} or newer is required (SET ... NX GET)`);
  }
}

export class RedisCommandError extends FlkRedisError {
  override readonly name = 'RedisCommandError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(REDIS_ERROR_CODES.COMMAND_FAILED, message, options);
  }
}

/**
 * Retriable: the claims are on the primary but not (yet) on enough replicas, so a verdict built on
 * them must not be committed; the caller's transaction aborts and the batch is retried (the
 * retried claims find their own values: an unchanged replay).
 */
export class RedisReplicationError extends FlkRedisError {
  override readonly name = 'RedisReplicationError';
  override readonly retriable = true;
  constructor(readonly acked: number, readonly required: number, timeoutMs: number) {
    super(REDIS_ERROR_CODES.REPLICA_ACK_SHORT, `redis: WAIT ${required} ${timeoutMs}: only ${acked} replica(s) acknowledged the claims`);
  }
}

export class RedisInvalidArgumentError extends FlkRedisError {
  override readonly name = 'RedisInvalidArgumentError';
  constructor(message: string) {
    super(REDIS_ERROR_CODES.INVALID_ARGUMENT, message);
  }
}

// Server error replies that describe a passing state of the server, not a bad command.
const TRANSIENT_REPLIES = ['LOADING', 'READONLY', 'MASTERDOWN', 'TRYAGAIN', 'CLUSTERDOWN', 'BUSY', 'OOM', 'NOREPLICAS'];
// Socket-level error codes (Node's and ioredis').
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);
const TRANSIENT_MESSAGES = [
  'Connection is closed',
  "Stream isn't writeable",
  'Command timed out',
  'Reached the max retries per request limit',
  'connect ETIMEDOUT',
  'Socket closed unexpectedly',
  // ioredis fails the commands still queued on a connection that closes (a failover, a killed
  // primary) with AbortError: whether a SET ran is unknown, and a retried claim answers it.
  'Command aborted due to connection close',
];

/**
 * Maps whatever the client threw to a typed error. Never leaks a key or value into the message:
 * ioredis' ReplyError carries the failing command's arguments, which are kept only as `cause`.
 */
export function toRedisError(err: unknown, what: string): FlkRedisError {
  if (err instanceof FlkRedisError) return err;
  const e = err as { name?: unknown; code?: unknown; message?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const firstWord = message.split(/\s/, 1)[0] ?? '';
  if (
    (code !== undefined && TRANSIENT_CODES.has(code)) ||
    TRANSIENT_REPLIES.includes(firstWord) ||
    TRANSIENT_MESSAGES.some((m) => message.includes(m)) ||
    e?.name === 'MaxRetriesPerRequestError'
  ) {
    return new RedisUnavailableError(`redis: ${what} failed: ${firstLine(message)}`, { cause: err });
  }
  return new RedisCommandError(`redis: ${what} failed: ${firstWord || 'error'}`, { cause: err });
}

function firstLine(s: string): string {
  const line = s.split('\n', 1)[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
