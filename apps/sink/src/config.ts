import { readFileSync } from 'node:fs';
import { describeKafkaConnection, type Env, EnvReader, type KafkaConnection, readKafkaConnection, readRegistryConnection, type RegistryConnection } from '@flk/config';
import { DEFAULT_SEGMENT_MAX_BYTES } from '@flk/audit';

// The sink's configuration, read from the environment once at start-up (docs/sink.md lists it).

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface SinkConfig {
  brokers: string[];
  /** KAFKA_SSL / KAFKA_SSL_CA_FILE (a CA file implies TLS). */
  ssl: KafkaConnection['ssl'];
  /** KAFKA_SASL_MECHANISM / KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD. */
  sasl?: KafkaConnection['sasl'];
  clientId: string;
  registryUrl: string;
  /** SCHEMA_REGISTRY_USERNAME / SCHEMA_REGISTRY_PASSWORD (basic auth); never logged. */
  registryAuth?: RegistryConnection['registryAuth'];
  verdictsTopic: string;
  groupId: string;
  /** Consumer-group session timeout: how long a killed sink keeps its partitions. */
  sessionTimeoutMs: number;
  httpPort: number;
  metricsAuth: { user: string; pass: string } | undefined;
  auditDir: string;
  auditSegmentBytes: number;
  logLevel: LogLevel;
}

export function loadSinkConfig(env: Env, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): SinkConfig {
  const r = new EnvReader(env);
  const kafka = readKafkaConnection(r, readFile);
  const user = r.optionalString('METRICS_USER');
  const pass = r.secret('METRICS_PASS');
  if ((user === undefined) !== (pass === undefined)) r.problem('METRICS_USER and METRICS_PASS: set both (basic auth on /metrics) or neither');
  const config: SinkConfig = {
    ...kafka,
    clientId: r.string('KAFKA_CLIENT_ID', 'flk-sink'),
    ...readRegistryConnection(r),
    verdictsTopic: r.string('PCS_VERDICTS_TOPIC', 'pcs.verdicts'),
    groupId: r.string('SINK_GROUP_ID', 'flk-sink'),
    // Kafka's default group.min.session.timeout.ms is 6 s.
    sessionTimeoutMs: r.int('SINK_SESSION_TIMEOUT_MS', 30_000, { min: 6_000, max: 300_000 }),
    httpPort: r.int('HTTP_PORT', 9465, { min: 0, max: 65535 }),
    metricsAuth: user !== undefined && pass !== undefined ? { user, pass } : undefined,
    auditDir: r.string('AUDIT_DIR', '.flk/audit'),
    auditSegmentBytes: r.int('AUDIT_SEGMENT_BYTES', DEFAULT_SEGMENT_MAX_BYTES, { min: 4096, max: 2 ** 31 - 1 }),
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
  };
  return r.done(config);
}

/** The configuration as it may be logged (no secrets, no CA text). */
export function describeConfig(c: SinkConfig): Record<string, unknown> {
  const { ssl: _ssl, sasl: _sasl, registryAuth, ...rest } = c;
  return { ...rest, ...describeKafkaConnection(c), registryAuth: registryAuth === undefined ? 'none' : 'basic', metricsAuth: c.metricsAuth ? { user: c.metricsAuth.user, pass: '***' } : 'off' };
}
