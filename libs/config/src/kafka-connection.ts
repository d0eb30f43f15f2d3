// How every FLK process reaches Kafka: KAFKA_BROKERS plus TLS (KAFKA_SSL, KAFKA_SSL_CA_FILE) and SASL
// (KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD), read the same way by every app.
// Pure: the CA file is read through the `readFile` the app passes in (it owns the I/O).
import type { EnvReader } from './index.js';

export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** Structurally the `ssl` / `sasl` options of `@flk/kafka` and kafkajs. */
export interface KafkaConnection {
  brokers: string[];
  /** false: plain TCP; true: TLS with the system CAs; { ca }: TLS trusting this PEM. */
  ssl: boolean | { ca: string };
  sasl?: { mechanism: KafkaSaslMechanism; username: string; password: string };
}

export interface KafkaConnectionOptions {
  /** KAFKA_BROKERS when unset; default 127.0.0.1:9092 (the local stack). */
  defaultBrokers?: readonly string[];
}

const HOST_PORT = /^[^\s:]+:\d{1,5}$/;

/**
 * Reads the Kafka connection variables into `r` (problems are collected by `r`, reported by
 * `r.done`). A CA file implies TLS; a SASL mechanism needs a username and a password, the password
 * is read with `r.secret` and never appears in a message.
 */
export function readKafkaConnection(r: EnvReader, readFile: (path: string) => string, opts: KafkaConnectionOptions = {}): KafkaConnection {
  const brokers = r.list('KAFKA_BROKERS', opts.defaultBrokers ?? ['127.0.0.1:9092']);
  if (brokers.length === 0) r.problem('KAFKA_BROKERS: at least one host:port');
  for (const b of brokers) if (!HOST_PORT.test(b)) r.problem(`KAFKA_BROKERS: '${b}' is not host:port`);

  let ssl: KafkaConnection['ssl'] = r.bool('KAFKA_SSL', false);
  const caFile = r.optionalString('KAFKA_SSL_CA_FILE');
  if (caFile !== undefined) {
    try {
      ssl = { ca: readFile(caFile) };
    } catch {
      r.problem(`KAFKA_SSL_CA_FILE: cannot read ${caFile}`);
    }
  }

  let sasl: KafkaConnection['sasl'];
  if (r.optionalString('KAFKA_SASL_MECHANISM') !== undefined) {
    const mechanism = r.oneOf('KAFKA_SASL_MECHANISM', KAFKA_SASL_MECHANISMS, 'plain');
    const username = r.optionalString('KAFKA_SASL_USERNAME');
    const password = r.secret('KAFKA_SASL_PASSWORD');
    if (username === undefined || password === undefined) r.problem('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required with KAFKA_SASL_MECHANISM');
    sasl = { mechanism, username: username ?? '', password: password ?? '' };
  }
  return sasl === undefined ? { brokers, ssl } : { brokers, ssl, sasl };
}

/** What may be logged about a connection: no CA text, no credentials. */
export function describeKafkaConnection(c: KafkaConnection): { brokers: string[]; kafkaSsl: boolean; kafkaSasl: KafkaSaslMechanism | 'none' } {
  return { brokers: c.brokers, kafkaSsl: c.ssl !== false, kafkaSasl: c.sasl?.mechanism ?? 'none' };
}
