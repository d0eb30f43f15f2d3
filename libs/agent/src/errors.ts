// Errors of the agent lib. A bad input line is data (counted and reported with its line number),
// never an exception; exceptions here are for publishing and for programmer/configuration errors.
export const AGENT_ERROR_CODES = {
  /** Options the caller must fix (window size 0, max attempts < 1, ...). */
  INVALID_OPTIONS: 'AGENT_INVALID_OPTIONS',
  /** The broker or the schema registry could not be reached, or did not acknowledge in time. */
  PUBLISH_UNAVAILABLE: 'AGENT_PUBLISH_UNAVAILABLE',
  /** The broker refused the batch for a reason a retry cannot fix (too large, not authorised, ...). */
  PUBLISH_REJECTED: 'AGENT_PUBLISH_REJECTED',
} as const;
export type AgentErrorCode = (typeof AGENT_ERROR_CODES)[keyof typeof AGENT_ERROR_CODES];

export class FlkAgentError extends Error {
  override readonly name: string = 'FlkAgentError';
  readonly retriable: boolean = false;
  constructor(readonly code: AgentErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Transient: the outbox backs off and sends the same batch again. */
export class PublishUnavailableError extends FlkAgentError {
  override readonly name = 'PublishUnavailableError';
  override readonly retriable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(AGENT_ERROR_CODES.PUBLISH_UNAVAILABLE, message, options);
  }
}

/** Final: retrying the same batch cannot succeed; its records are reported unpublished. */
export class PublishRejectedError extends FlkAgentError {
  override readonly name = 'PublishRejectedError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(AGENT_ERROR_CODES.PUBLISH_REJECTED, message, options);
  }
}

export function invalidOptions(message: string): FlkAgentError {
  return new FlkAgentError(AGENT_ERROR_CODES.INVALID_OPTIONS, message);
}

// Only errors that say so are retried (programmer errors such as a TypeError never are): the one
// isRetriable of every FLK package, from @flk/pcs (which @flk/agent already depends on and which
// is published with it), re-exported so the agent's public API keeps the name.
export { isRetriable } from '@flk/pcs';
