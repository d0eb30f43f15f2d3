// The only place a kafkajs `Kafka` instance is created: typed options in, kafkajs out, its log
// lines bridged to the injected Logger (kafkajs' logCreator), never to the console.
import { Kafka, logLevel as kafkaLogLevel, type KafkaConfig, type LogEntry, type SASLOptions, type logCreator } from 'kafkajs';
import type { LogFields, Logger } from '@flk/pcs';
import { silentLogger } from '@flk/pcs';
import { KafkaConfigError } from './errors.js';

export type KafkaClient = Kafka;
export type KafkaLogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface KafkaTlsOptions {
  /** PEM text (not file names: the app reads files, libs do no I/O of their own). */
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized?: boolean;
}

export interface KafkaSaslOptions {
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  username: string;
  password: string;
}

export interface KafkaClientOptions {
  brokers: readonly string[];
  clientId: string;
  /** true = TLS with the system CAs. */
  ssl?: boolean | KafkaTlsOptions;
  sasl?: KafkaSaslOptions;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** kafkajs' per-request retry policy (the pipeline's own batch retry sits above it). */
  retry?: { retries?: number; initialRetryTimeMs?: number; maxRetryTimeMs?: number };
  logger?: Logger;
  /** Lowest kafkajs level forwarded to the logger; default 'info'. */
  logLevel?: KafkaLogLevel;
}

const LEVELS: Record<KafkaLogLevel, kafkaLogLevel> = {
  error: kafkaLogLevel.ERROR,
  warn: kafkaLogLevel.WARN,
  info: kafkaLogLevel.INFO,
  debug: kafkaLogLevel.DEBUG,
};

// kafkajs log fields worth keeping. Anything else (request payloads, SASL exchanges, stacks of
// retried requests) stays out of the logs.
const SAFE_FIELDS = [
  'error', 'groupId', 'memberId', 'generationId', 'topic', 'partition', 'offset', 'broker', 'clientId',
  'retryCount', 'retryTime', 'transactionalId', 'producerId', 'producerEpoch', 'leaderId', 'isLeader',
  'memberAssignment', 'groupProtocol', 'duration', 'nodeId', 'correlationId', 'apiName', 'size',
];
// Warnings kafkajs prints on every producer/consumer creation that do not apply to how we use it.
const DEMOTED = [
  'Limiting retries for the idempotent producer', // we abort and re-create the producer on failure instead
  'KafkaJS v2.0.0 switched default partitioner', // we pass the partitioner explicitly
];

/** A kafkajs logCreator that forwards entries to `logger` with a whitelist of fields. */
export function kafkaLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const fields: LogFields = { component: 'kafkajs', namespace };
      for (const k of SAFE_FIELDS) if (log[k] !== undefined) fields[k] = log[k];
      const message = String(log.message);
      if (DEMOTED.some((d) => message.startsWith(d))) return logger.debug(fields, message);
      if (level === kafkaLogLevel.ERROR) logger.error(fields, message);
      else if (level === kafkaLogLevel.WARN) logger.warn(fields, message);
      else if (level === kafkaLogLevel.INFO) logger.info(fields, message);
      else logger.debug(fields, message);
    };
}

export function kafkaConfig(opts: KafkaClientOptions): KafkaConfig {
  if (!Array.isArray(opts.brokers) || opts.brokers.length === 0) throw new KafkaConfigError('kafka: at least one broker is required');
  for (const b of opts.brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(b)) throw new KafkaConfigError(`kafka: broker '${b}' is not host:port`);
  }
  if (!opts.clientId) throw new KafkaConfigError('kafka: clientId is required');
  let sasl: SASLOptions | undefined;
  if (opts.sasl) {
    if (!opts.sasl.username || !opts.sasl.password) throw new KafkaConfigError('kafka: SASL needs a username and a password');
    sasl = { mechanism: opts.sasl.mechanism, username: opts.sasl.username, password: opts.sasl.password } as SASLOptions;
  }
  return {
    brokers: [...opts.brokers],
    clientId: opts.clientId,
    ssl: opts.ssl === undefined ? undefined : opts.ssl === true ? true : opts.ssl === false ? false : { ...opts.ssl },
    sasl,
    connectionTimeout: opts.connectionTimeoutMs ?? 3000,
    requestTimeout: opts.requestTimeoutMs ?? 10000,
    retry: {
      retries: opts.retry?.retries ?? 5,
      initialRetryTime: opts.retry?.initialRetryTimeMs ?? 100,
      maxRetryTime: opts.retry?.maxRetryTimeMs ?? 2000,
    },
    logLevel: LEVELS[opts.logLevel ?? 'info'],
    logCreator: kafkaLogCreator(opts.logger ?? silentLogger),
  };
}

export function createKafkaClient(opts: KafkaClientOptions): KafkaClient {
  return new Kafka(kafkaConfig(opts));
}
