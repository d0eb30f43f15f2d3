// The verifier's configuration: read from the environment once, at start-up, with @flk/config;
// every bad variable is reported in one ConfigError. Names follow docs/pipeline.md; the extra
// knobs (tolerances, batch sizes, timeouts) are documented in docs/verifier.md.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { EnvReader, readKafkaConnection, type Env, type KafkaConnection } from '@flk/config';
import { createDecisionParams, createKeyRing, FlkPcsError, SIGN_ALGS, type DecisionParams, type KeyRing, type SignAlg } from '@flk/pcs';
import { createNodeKeyRing } from './node-keyring.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface VerifierConfig {
  kafka: {
    brokers: string[];
    clientId: string;
    ssl: KafkaConnection['ssl'];
    sasl?: KafkaConnection['sasl'];
  };
  schemaRegistryUrl: string;
  redis: { url: string; keyPrefix: string };
  topics: { submitted: string; verdicts: string; dlq: string };
  groupId: string;
  transactionalIdPrefix: string;
  http: { port: number; host: string; basicAuth?: { user: string; pass: string } };
  signAlg: SignAlg;
  keyRing: KeyRing;
  params: DecisionParams;
  dedupTtlSeconds: number;
  maxBatchRecords: number;
  partitionsConsumedConcurrently: number;
  maxBytesPerPartition: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  transactionTimeoutMs: number;
  retryInitialMs: number;
  retryMaxMs: number;
  shutdownTimeoutMs: number;
  logLevel: LogLevel;
}

/** What may be logged at start-up: no keys, no passwords, no credentials inside URLs. */
export function describeConfig(c: VerifierConfig): Record<string, unknown> {
  return {
    brokers: c.kafka.brokers,
    kafkaSsl: c.kafka.ssl !== false,
    kafkaSasl: c.kafka.sasl?.mechanism ?? 'none',
    schemaRegistryUrl: redactUrl(c.schemaRegistryUrl),
    redisUrl: redactUrl(c.redis.url),
    topics: c.topics,
    groupId: c.groupId,
    transactionalIdPrefix: c.transactionalIdPrefix,
    httpPort: c.http.port,
    metricsAuth: c.http.basicAuth !== undefined,
    signAlg: c.signAlg,
    params: c.params,
    dedupTtlSeconds: c.dedupTtlSeconds,
    maxBatchRecords: c.maxBatchRecords,
    partitionsConsumedConcurrently: c.partitionsConsumedConcurrently,
    transactionTimeoutMs: c.transactionTimeoutMs,
  };
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    if (u.username) u.username = '***';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}

export function loadConfig(env: Env, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): VerifierConfig {
  const r = new EnvReader(env);
  const num = (name: string, fallback: number) => r.number(name, fallback, { min: 0, max: 1e6 });
  const weight = (name: string, fallback: number) => r.number(name, fallback, { min: -1e6, max: 1e6 });

  // KAFKA_BROKERS, KAFKA_SSL, KAFKA_SSL_CA_FILE, KAFKA_SASL_*: the same reader as every Kafka client.
  const { brokers, ssl, sasl } = readKafkaConnection(r, readFile);
  const groupId = r.string('VERIFIER_GROUP_ID', 'flk-verifier');

  const metricsUser = r.optionalString('METRICS_USER');
  const metricsPass = r.secret('METRICS_PASS');
  if ((metricsUser === undefined) !== (metricsPass === undefined)) r.problem('METRICS_USER and METRICS_PASS must be set together');

  const signAlg = r.oneOf('PCS_SIGN_ALG', SIGN_ALGS, 'none');
  const hmacKeys = r.list('PCS_HMAC_KEY');
  const edKeys = r.list('PCS_ED25519_PUB_B64');
  let keyRing: KeyRing = createKeyRing({ alg: 'none' });
  try {
    if (signAlg === 'hmac') {
      if (hmacKeys.length === 0) r.problem('PCS_HMAC_KEY: required when PCS_SIGN_ALG=hmac');
      else keyRing = createNodeKeyRing({ alg: 'hmac', hmacKeys });
    } else if (signAlg === 'ed25519') {
      if (edKeys.length === 0) r.problem('PCS_ED25519_PUB_B64: required when PCS_SIGN_ALG=ed25519');
      else keyRing = createNodeKeyRing({ alg: 'ed25519', ed25519PublicKeysB64: edKeys });
    }
  } catch (err) {
    // The core's messages describe the problem, never the key.
    r.problem(`${signAlg === 'hmac' ? 'PCS_HMAC_KEY' : 'PCS_ED25519_PUB_B64'}: ${err instanceof FlkPcsError ? err.message : 'invalid key'}`);
  }

  let params: DecisionParams = createDecisionParams();
  const paramInput = {
    tolD: num('PCS_TOL_D', params.tolD),
    tolCoh: num('PCS_TOL_COH', params.tolCoh),
    tolR: num('PCS_TOL_R', params.tolR),
    tolBudget: num('PCS_TOL_BUDGET', params.tolBudget),
    budget: {
      base: weight('PCS_BUDGET_BASE', params.budget.base),
      alpha: weight('PCS_BUDGET_ALPHA', params.budget.alpha),
      beta: weight('PCS_BUDGET_BETA', params.budget.beta),
      gamma: weight('PCS_BUDGET_GAMMA', params.budget.gamma),
      D0: weight('PCS_BUDGET_D0', params.budget.D0),
    },
  };
  try {
    params = createDecisionParams(paramInput);
  } catch (err) {
    r.problem(`decision parameters: ${(err as Error).message}`);
  }

  const config: VerifierConfig = {
    kafka: { brokers, clientId: r.string('KAFKA_CLIENT_ID', `flk-verifier-${hostname()}-${process.pid}`), ssl, sasl },
    schemaRegistryUrl: r.url('SCHEMA_REGISTRY_URL', 'http://127.0.0.1:8081'),
    redis: { url: r.url('REDIS_URL', 'redis://127.0.0.1:6390'), keyPrefix: r.optionalString('REDIS_KEY_PREFIX') ?? '' },
    topics: {
      submitted: r.string('PCS_SUBMITTED_TOPIC', 'pcs.submitted'),
      verdicts: r.string('PCS_VERDICTS_TOPIC', 'pcs.verdicts'),
      dlq: r.string('PCS_DLQ_TOPIC', 'pcs.dlq'),
    },
    groupId,
    transactionalIdPrefix: r.string('VERIFIER_TRANSACTIONAL_ID_PREFIX', groupId),
    http: {
      port: r.int('HTTP_PORT', 9464, { min: 0, max: 65535 }),
      host: r.string('HTTP_HOST', '0.0.0.0'),
      basicAuth: metricsUser !== undefined && metricsPass !== undefined ? { user: metricsUser, pass: metricsPass } : undefined,
    },
    signAlg,
    keyRing,
    params,
    dedupTtlSeconds: r.int('DEDUP_TTL_SECONDS', 1_209_600, { min: 1, max: 10 * 365 * 86_400 }),
    maxBatchRecords: r.int('VERIFIER_MAX_BATCH_RECORDS', 1000, { min: 1, max: 10_000 }),
    partitionsConsumedConcurrently: r.int('VERIFIER_PARTITIONS_CONCURRENCY', 6, { min: 1, max: 256 }),
    maxBytesPerPartition: r.int('KAFKA_MAX_BYTES_PER_PARTITION', 1_048_576, { min: 1024, max: 64 * 1_048_576 }),
    sessionTimeoutMs: r.int('KAFKA_SESSION_TIMEOUT_MS', 30_000, { min: 6_000, max: 300_000 }),
    heartbeatIntervalMs: r.int('KAFKA_HEARTBEAT_INTERVAL_MS', 3_000, { min: 100, max: 60_000 }),
    transactionTimeoutMs: r.int('VERIFIER_TRANSACTION_TIMEOUT_MS', 10_000, { min: 1_000, max: 900_000 }),
    retryInitialMs: r.int('VERIFIER_RETRY_INITIAL_MS', 100, { min: 1, max: 60_000 }),
    retryMaxMs: r.int('VERIFIER_RETRY_MAX_MS', 5_000, { min: 1, max: 300_000 }),
    shutdownTimeoutMs: r.int('VERIFIER_SHUTDOWN_TIMEOUT_MS', 30_000, { min: 1_000, max: 600_000 }),
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
  };
  if (config.heartbeatIntervalMs * 3 > config.sessionTimeoutMs) r.problem('KAFKA_HEARTBEAT_INTERVAL_MS must be at most a third of KAFKA_SESSION_TIMEOUT_MS');
  if (config.retryInitialMs > config.retryMaxMs) r.problem('VERIFIER_RETRY_INITIAL_MS must not exceed VERIFIER_RETRY_MAX_MS');
  return r.done(config);
}
