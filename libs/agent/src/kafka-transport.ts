// The one module of @flk/agent that touches the network: the outbox's transport to Kafka.
// An idempotent kafkajs producer (acks = -1, i.e. all in-sync replicas) sends each batch as
// Confluent-wire-format Avro (@flk/registry), key = pcs_id (UTF-8), to the submitted topic.
//
// Re-sends are safe: kafkajs rolls its per-partition sequence numbers back when a produce request
// fails, and the outbox re-sends the same batch through the same producer (same producer id), so a
// batch the broker wrote but whose acknowledgement was lost is recognised by its sequence numbers
// and written once. Across processes (a re-run of the agent) the verifier's dedup by pcs_id holds.
import { Kafka, logLevel, Partitioners, type LogEntry, type Producer, type SASLOptions } from 'kafkajs';
import { silentLogger, type Logger, type Pcs } from '@flk/pcs';
import type { WireCodec } from '@flk/registry';
import { PublishRejectedError, PublishUnavailableError } from './errors.js';
import type { PcsTransport } from './outbox.js';
import { isTraceparent, newTraceparent, TRACEPARENT_HEADER } from './trace.js';

export interface KafkaTransportOptions {
  brokers: string[];
  /** TLS: true = the system CAs; { ca } = trust this PEM (text, not a file name: the app reads it). Default off. */
  ssl?: boolean | { ca: string };
  /** SASL authentication (default none). */
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  topic: string;
  /** Registers the schemas (init) and encodes records. */
  codec: Pick<WireCodec, 'init' | 'encodePcs'>;
  clientId?: string;
  /** TCP connect timeout per broker, ms (default 3000). */
  connectionTimeoutMs?: number;
  /** How long the broker may take to acknowledge a produce request, ms (default 30000). */
  ackTimeoutMs?: number;
  /** kafkajs' own retries inside one send (default 3); the outbox's backoff comes on top. */
  clientRetries?: number;
  /**
   * The record's W3C traceparent header, e.g. from the caller's OpenTelemetry span
   * (`propagation.inject`). Unset, or a value that is not a well-formed traceparent: a fresh one per
   * record. Either way a record keeps its traceparent across the outbox's re-sends.
   */
  traceparent?: (rec: Pcs) => string | undefined;
  logger?: Logger;
}

export interface KafkaTransport extends PcsTransport {
  /**
   * Registers the schemas and connects the producer now rather than on the first send, so the first
   * records built do not wait for it. Optional: `send` does the same when needed. Throws the typed
   * errors `send` would.
   */
  connect(): Promise<void>;
  close(): Promise<void>;
}

// kafkajs errors a retry cannot fix (anything else from kafkajs is a connection/timeout/metadata
// problem, retried by the outbox within its budget).
const FINAL_KAFKA_ERRORS = new Set([
  'KafkaJSSASLAuthenticationError',
  'KafkaJSServerDoesNotSupportApiKey',
  'KafkaJSInvariantViolation',
  'KafkaJSNotImplemented',
  'KafkaJSInvalidVarIntError',
  'KafkaJSInvalidLongError',
]);

function isFinal(err: unknown): boolean {
  let e = err as { name?: string; retriable?: boolean; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 8; depth++, e = e.cause as typeof e) {
    if (e.name === 'KafkaJSProtocolError' && e.retriable === false) return true; // e.g. MESSAGE_TOO_LARGE
    if (e.name !== undefined && FINAL_KAFKA_ERRORS.has(e.name)) return true;
    if (e.name === 'FlkRegistryError' || e.name === 'TypeError' || e.name === 'RangeError') return true;
  }
  return false;
}

function classify(err: unknown, what: string): Error {
  const message = `${what}: ${err instanceof Error ? err.message : String(err)}`;
  return isFinal(err) ? new PublishRejectedError(message, { cause: err }) : new PublishUnavailableError(message, { cause: err });
}

// kafkajs warns on every start that limited retries "may invalidate EoS guarantees"; see the header
// for why bounded retries plus outbox re-sends through the same producer keep them.
const QUIET = /Limiting retries for the idempotent producer/;

function kafkaLogCreator(logger: Logger) {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _t, logger: _l, stack: _s, ...fields } = log as LogEntry['log'] & { stack?: unknown };
      const entry = { component: 'kafkajs', namespace, ...fields };
      // kafkajs' errors (a refused connection, a lost leader) are what the outbox retries: warn.
      // Whether records were lost is the outbox's to say, and it says so at error level.
      if ((level === logLevel.ERROR || level === logLevel.WARN) && !QUIET.test(message)) logger.warn(entry, message);
      else logger.debug(entry, message);
    };
}

export function createKafkaTransport(opts: KafkaTransportOptions): KafkaTransport {
  const logger = opts.logger ?? silentLogger;
  const kafka = new Kafka({
    clientId: opts.clientId ?? 'flk-agent',
    brokers: opts.brokers,
    ssl: typeof opts.ssl === 'object' ? { ca: opts.ssl.ca } : (opts.ssl ?? false),
    sasl: opts.sasl === undefined ? undefined : ({ ...opts.sasl } as SASLOptions),
    connectionTimeout: opts.connectionTimeoutMs ?? 3000,
    requestTimeout: opts.ackTimeoutMs ?? 30_000,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(logger),
    retry: { retries: opts.clientRetries ?? 3, initialRetryTime: 100, maxRetryTime: 2000 },
  });
  // One producer for the whole run: its producer id and sequence numbers make re-sends idempotent.
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner, // murmur2 of the key, as the Java client
    retry: { retries: opts.clientRetries ?? 3, initialRetryTime: 100, maxRetryTime: 2000 },
  });
  let connected = false;
  let initialised = false;
  // The outbox re-sends the same record objects after a failure: one trace per record, not per try.
  const traces = new WeakMap<Pcs, string>();
  const traceOf = (rec: Pcs): string => {
    let tp = traces.get(rec);
    if (tp === undefined) {
      const given = opts.traceparent?.(rec);
      tp = isTraceparent(given) ? given : newTraceparent();
      traces.set(rec, tp);
    }
    return tp;
  };

  async function ready(): Promise<void> {
    if (!initialised) {
      try {
        await opts.codec.init();
      } catch (err) {
        throw classify(err, 'schema registry');
      }
      initialised = true;
    }
    if (!connected) {
      try {
        await producer.connect();
      } catch (err) {
        throw classify(err, 'kafka connect');
      }
      connected = true;
    }
  }

  return {
    connect: ready,
    async send(batch: readonly Pcs[]) {
      if (batch.length === 0) return;
      await ready();
      let messages;
      try {
        messages = batch.map((rec) => ({ key: Buffer.from(rec.pcs_id, 'utf8'), value: opts.codec.encodePcs(rec), headers: { [TRACEPARENT_HEADER]: traceOf(rec) } }));
      } catch (err) {
        throw new PublishRejectedError(`encoding: ${(err as Error).message}`, { cause: err });
      }
      try {
        await producer.send({ topic: opts.topic, acks: -1, timeout: opts.ackTimeoutMs ?? 30_000, messages });
      } catch (err) {
        throw classify(err, `kafka produce to ${opts.topic}`);
      }
    },
    async close() {
      if (connected) {
        connected = false;
        await producer.disconnect().catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'kafka producer disconnect failed'));
      }
    },
  };
}
