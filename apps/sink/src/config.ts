import { type Env, EnvReader } from '@flk/config';
import { DEFAULT_SEGMENT_MAX_BYTES } from '@flk/audit';

// The sink's configuration, read from the environment once at start-up (docs/sink.md lists it).

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface SinkConfig {
  brokers: string[];
  clientId: string;
  registryUrl: string;
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

export function loadSinkConfig(env: Env): SinkConfig {
  const r = new EnvReader(env);
  const brokers = r.list('KAFKA_BROKERS', ['127.0.0.1:9092']);
  if (brokers.length === 0) r.problem('KAFKA_BROKERS: at least one host:port');
  for (const b of brokers) if (!/^[^\s:]+:\d{1,5}$/.test(b)) r.problem(`KAFKA_BROKERS: '${b}' is not host:port`);
  const user = r.optionalString('METRICS_USER');
  const pass = r.secret('METRICS_PASS');
  if ((user === undefined) !== (pass === undefined)) r.problem('METRICS_USER and METRICS_PASS: set both (basic auth on /metrics) or neither');
  const config: SinkConfig = {
    brokers,
    clientId: r.string('KAFKA_CLIENT_ID', 'flk-sink'),
    registryUrl: r.url('SCHEMA_REGISTRY_URL', 'http://127.0.0.1:8081'),
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

/** The configuration as it may be logged (no secrets). */
export function describeConfig(c: SinkConfig): Record<string, unknown> {
  return { ...c, metricsAuth: c.metricsAuth ? { user: c.metricsAuth.user, pass: '***' } : 'off' };
}
