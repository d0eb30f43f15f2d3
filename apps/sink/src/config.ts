import { readFileSync } from 'node:fs';
import { describeKafkaConnection, type Env, EnvReader, type KafkaConnection, readKafkaConnection, readRegistryConnection, type RegistryConnection } from '@flk/config';
import { DEFAULT_SEGMENT_MAX_BYTES, FlkAuditError, type NoteSignerKey, parseSignerKey } from '@flk/audit';

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
  /** Signed checkpoints (docs/audit.md); undefined when no AUDIT_CHECKPOINT_KEY / _FILE is set. */
  checkpoint: CheckpointConfig | undefined;
  logLevel: LogLevel;
}

export interface CheckpointConfig {
  /** AUDIT_CHECKPOINT_KEY or the file AUDIT_CHECKPOINT_KEY_FILE names (a secret: its seed is never logged). */
  key: NoteSignerKey;
  /** AUDIT_CHECKPOINT_ORIGIN: the checkpoint's first line and its record key on the topic; default the key name. */
  origin: string;
  /** AUDIT_CHECKPOINT_EVERY: a checkpoint after this many new entries... */
  every: number;
  /** AUDIT_CHECKPOINT_INTERVAL_MS: ...or after this long with new entries, whichever comes first. */
  intervalMs: number;
  /** AUDIT_CHECKPOINT_TOPIC: compacted, one record per origin. */
  topic: string;
}

function readCheckpointConfig(r: EnvReader, env: Env, readFile: (path: string) => string): CheckpointConfig | undefined {
  const inline = r.secret('AUDIT_CHECKPOINT_KEY');
  const file = r.optionalString('AUDIT_CHECKPOINT_KEY_FILE');
  const origin = r.optionalString('AUDIT_CHECKPOINT_ORIGIN');
  const every = r.int('AUDIT_CHECKPOINT_EVERY', 1000, { min: 1, max: 1_000_000_000 });
  const intervalMs = r.int('AUDIT_CHECKPOINT_INTERVAL_MS', 10_000, { min: 100, max: 86_400_000 });
  const topic = r.string('AUDIT_CHECKPOINT_TOPIC', 'pcs.audit.checkpoints');
  if (inline !== undefined && file !== undefined) {
    r.problem('AUDIT_CHECKPOINT_KEY and AUDIT_CHECKPOINT_KEY_FILE: set one, not both');
    return undefined;
  }
  let text = inline;
  let source = 'AUDIT_CHECKPOINT_KEY';
  if (file !== undefined) {
    source = 'AUDIT_CHECKPOINT_KEY_FILE';
    try {
      text = readFile(file);
    } catch {
      r.problem(`AUDIT_CHECKPOINT_KEY_FILE: cannot read ${file}`);
      return undefined;
    }
  }
  if (text === undefined) {
    if (origin !== undefined || env.AUDIT_CHECKPOINT_EVERY || env.AUDIT_CHECKPOINT_INTERVAL_MS) r.problem('AUDIT_CHECKPOINT_KEY or AUDIT_CHECKPOINT_KEY_FILE: required when other AUDIT_CHECKPOINT_* settings are given');
    return undefined;
  }
  let key: NoteSignerKey;
  try {
    key = parseSignerKey(text);
  } catch (err) {
    // The message of a key error never holds the key (@flk/audit).
    if (!(err instanceof FlkAuditError)) throw err;
    r.problem(`${source}: ${err.message} (flk audit keygen NAME makes one)`);
    return undefined;
  }
  if (origin !== undefined && /[\r\n]/.test(origin)) r.problem('AUDIT_CHECKPOINT_ORIGIN: must be one line');
  return { key, origin: origin ?? key.name, every, intervalMs, topic };
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
    checkpoint: readCheckpointConfig(r, env, readFile),
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
  };
  return r.done(config);
}

/** The configuration as it may be logged (no secrets, no CA text). */
export function describeConfig(c: SinkConfig): Record<string, unknown> {
  const { ssl: _ssl, sasl: _sasl, checkpoint, registryAuth, ...rest } = c;
  return {
    ...rest,
    ...describeKafkaConnection(c),
    registryAuth: registryAuth === undefined ? 'none' : 'basic',
    metricsAuth: c.metricsAuth ? { user: c.metricsAuth.user, pass: '***' } : 'off',
    // The verifier key only: the signer key's seed is a secret.
    checkpoint: checkpoint ? { verifierKey: checkpoint.key.text, origin: checkpoint.origin, every: checkpoint.every, intervalMs: checkpoint.intervalMs, topic: checkpoint.topic } : 'off',
  };
}
