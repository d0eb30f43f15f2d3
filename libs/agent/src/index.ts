// @flk/agent: the producer side of FLK, reusable by SDKs. Pure parts (event parsing, windowing,
// outbox_seq, backoff, the outbox and the pipeline) take values and injected ports; the Kafka
// transport (kafka-transport.ts) is the only module doing I/O. docs/agent.md describes the event
// format, windowing, signing and the outbox semantics.
export { parseEventLine, parseTimestamp, EVENT_LIMITS, type ParseResult, type StreamEvent } from './event.js';
export { createWindower, validateWindowOptions, type PushResult, type Window, type WindowOptions, type Windower } from './windower.js';
export { DEFAULT_RETRY_POLICY, retryBackoff, validateRetryPolicy, type RetryPolicy } from './backoff.js';
// The one backoff of every FLK package (equal jitter): backoffDelay(attempt, retryBackoff(policy), random).
export { backoffDelay } from '@flk/pcs';
export {
  createOutbox,
  type Outbox,
  type OutboxEvent,
  type OutboxOptions,
  type OutboxStats,
  type PcsTransport,
  type ShardOutboxStats,
} from './outbox.js';
export { createSequencer, OVERSIZED_LINE, runAgent, type AgentEvent, type InputLine, type AgentOptions, type AgentSummary, type ShardSummary } from './agent.js';
export { createKafkaTransport, type KafkaTransport, type KafkaTransportOptions } from './kafka-transport.js';
export {
  AGENT_ERROR_CODES,
  FlkAgentError,
  invalidOptions,
  isRetriable,
  PublishRejectedError,
  PublishUnavailableError,
  type AgentErrorCode,
} from './errors.js';
export { splitLines } from './lines.js';
export { isTraceparent, newTraceparent, TRACEPARENT_HEADER } from './trace.js';
