// The verifier's configuration: read from the environment once, at start-up, with @flk/config;
// every bad variable is reported in one ConfigError. Names follow docs/pipeline.md; the extra
// knobs (tolerances, batch sizes, timeouts) are documented in docs/verifier.md.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { decideConfigOf, describeRedisConnection, EnvReader, loadTenantRing, readKafkaConnection, readRedisConnection, readRegistryConnection, readSigningConfig, SIGNING_ENV, type Env, type KafkaConnection, type RedisConnectionConfig, type RegistryConnection, type SigningConfig } from '@flk/config';
import { createDecisionParams, DEFAULT_DEDUP_TTL_SECONDS, type DecideConfig, type DecisionParams } from '@flk/pcs';
import { createPolicySet, policyFromParams, type PolicySet } from '@flk/policy';
import { createNodeKeyRing, nodeSha256, nodeSignatureCrypto } from '@flk/node-crypto';
import { ENV_POLICY, loadPolicySet, nodePolicyFs, POLICY_ENV, type PolicyFs } from './policies.js';

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
  /** SCHEMA_REGISTRY_USERNAME / SCHEMA_REGISTRY_PASSWORD (basic auth); never logged. */
  registryAuth: RegistryConnection['registryAuth'];
  /** REDIS_URL, or REDIS_SENTINELS + REDIS_SENTINEL_NAME; REDIS_WAIT_* (docs/redis-ha.md). */
  redis: { connection: RedisConnectionConfig; keyPrefix: string };
  /** `replies`: the HTTP gateway's reply topic (PCS_REPLIES_TOPIC), used only if it exists (checked at start-up). */
  topics: { submitted: string; verdicts: string; dlq: string; replies: string };
  groupId: string;
  transactionalIdPrefix: string;
  http: { port: number; host: string; basicAuth?: { user: string; pass: string } };
  /** Keys, versions and freshness window as read at start-up (the ring file may be reloaded later). */
  signing: SigningConfig;
  params: DecisionParams;
  /**
   * The policy set at start-up: VERIFIER_POLICY_PATH's documents, or one `env` policy of `params`
   * when unset. `path` is watched and reloaded (app.ts); a bad new set is refused, the old kept.
   */
  policy: { path?: string; set: PolicySet };
  decide: DecideConfig;
  /** Re-reads PCS_KEYRING_FILE (and its secret files/variables) into a new DecideConfig; throws FlkPcsError. Undefined without a ring file. */
  reloadDecideConfig?: () => DecideConfig;
  dedupTtlSeconds: number;
  maxBatchRecords: number;
  partitionsConsumedConcurrently: number;
  maxBytesPerPartition: number;
  fetchMaxWaitMs: number;
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
    registryAuth: c.registryAuth === undefined ? 'none' : 'basic',
    ...describeRedisConnection(c.redis.connection),
    topics: c.topics,
    groupId: c.groupId,
    transactionalIdPrefix: c.transactionalIdPrefix,
    httpPort: c.http.port,
    metricsAuth: c.http.basicAuth !== undefined,
    signAlg: c.signing.signAlg ?? 'unset',
    signatures: c.signing.signatures,
    keyringFile: c.signing.keyringFile ?? null,
    tenantKeys: c.signing.tenants?.keys.length ?? 0,
    acceptVersions: c.signing.acceptVersions,
    maxAgeSeconds: c.signing.maxAgeSeconds,
    maxSkewSeconds: c.signing.maxSkewSeconds,
    params: c.params,
    policyPath: c.policy.path ?? null,
    policySet: c.policy.set.digest,
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

export function loadConfig(env: Env, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'), policyFs: PolicyFs = nodePolicyFs): VerifierConfig {
  const r = new EnvReader(env);
  const num = (name: string, fallback: number) => r.number(name, fallback, { min: 0, max: 1e6 });
  const weight = (name: string, fallback: number) => r.number(name, fallback, { min: -1e6, max: 1e6 });

  // KAFKA_BROKERS, KAFKA_SSL, KAFKA_SSL_CA_FILE, KAFKA_SASL_*: the same reader as every Kafka client.
  const { brokers, ssl, sasl } = readKafkaConnection(r, readFile);
  const groupId = r.string('VERIFIER_GROUP_ID', 'flk-verifier');

  const metricsUser = r.optionalString('METRICS_USER');
  const metricsPass = r.secret('METRICS_PASS');
  if ((metricsUser === undefined) !== (metricsPass === undefined)) r.problem('METRICS_USER and METRICS_PASS must be set together');

  // Fail closed (the backend trusts nothing from agents): no signing configuration is an error;
  // running without signature checks must be chosen explicitly with PCS_SIGN_ALG=none.
  const signing = readSigningConfig(r, { readFile, env, crypto: nodeSignatureCrypto, createV01Ring: createNodeKeyRing });
  if (signing.signAlg === undefined && signing.keyringFile === undefined) {
    r.problem(`no signing configuration: set ${SIGNING_ENV.KEYRING_FILE} (v0.2 tenant keys) and/or ${SIGNING_ENV.SIGN_ALG}=hmac|ed25519 with its keys (v0.1), or ${SIGNING_ENV.SIGN_ALG}=none to run without signature checks`);
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

  // One source of decision parameters: with a policy set, the PCS_TOL_* / PCS_BUDGET_* variables
  // would be silently ignored, so setting both is an error naming them.
  const policyPath = r.optionalString(POLICY_ENV);
  let policySet = createPolicySet(policyFromParams(params, { ...ENV_POLICY, description: 'the verifier\'s env-configured parameters (PCS_TOL_*, PCS_BUDGET_*)' }));
  if (policyPath !== undefined) {
    const both = Object.keys(env).filter((k) => (k.startsWith('PCS_TOL_') || k.startsWith('PCS_BUDGET_')) && env[k] !== undefined);
    if (both.length > 0) r.problem(`${POLICY_ENV} and ${both.join(', ')} are both set: with a policy set the parameters come from its documents only`);
    try {
      policySet = loadPolicySet(policyPath, policyFs);
    } catch (err) {
      r.problem(`${POLICY_ENV}: ${(err as Error).message}`);
    }
  }

  const config: VerifierConfig = {
    kafka: { brokers, clientId: r.string('KAFKA_CLIENT_ID', `flk-verifier-${hostname()}-${process.pid}`), ssl, sasl },
    ...((reg) => ({ schemaRegistryUrl: reg.registryUrl, registryAuth: reg.registryAuth }))(readRegistryConnection(r)),
    redis: { connection: readRedisConnection(r, env), keyPrefix: r.optionalString('REDIS_KEY_PREFIX') ?? '' },
    topics: {
      submitted: r.string('PCS_SUBMITTED_TOPIC', 'pcs.submitted'),
      verdicts: r.string('PCS_VERDICTS_TOPIC', 'pcs.verdicts'),
      dlq: r.string('PCS_DLQ_TOPIC', 'pcs.dlq'),
      replies: r.string('PCS_REPLIES_TOPIC', 'pcs.replies'),
    },
    groupId,
    transactionalIdPrefix: r.string('VERIFIER_TRANSACTIONAL_ID_PREFIX', groupId),
    http: {
      port: r.int('HTTP_PORT', 9464, { min: 0, max: 65535 }),
      host: r.string('HTTP_HOST', '0.0.0.0'),
      basicAuth: metricsUser !== undefined && metricsPass !== undefined ? { user: metricsUser, pass: metricsPass } : undefined,
    },
    signing,
    params,
    policy: { ...(policyPath !== undefined && { path: policyPath }), set: policySet },
    decide: decideConfigOf(signing, params, signing.tenants, nodeSha256),
    reloadDecideConfig:
      signing.keyringFile === undefined
        ? undefined
        : () => decideConfigOf(signing, params, loadTenantRing(signing.keyringFile!, { readFile, env, crypto: nodeSignatureCrypto }), nodeSha256),
    dedupTtlSeconds: r.int('DEDUP_TTL_SECONDS', DEFAULT_DEDUP_TTL_SECONDS, { min: 1, max: 10 * 365 * 86_400 }),
    maxBatchRecords: r.int('VERIFIER_MAX_BATCH_RECORDS', 1000, { min: 1, max: 10_000 }),
    partitionsConsumedConcurrently: r.int('VERIFIER_PARTITIONS_CONCURRENCY', 6, { min: 1, max: 256 }),
    maxBytesPerPartition: r.int('KAFKA_MAX_BYTES_PER_PARTITION', 1_048_576, { min: 1024, max: 64 * 1_048_576 }),
    // How long the broker holds a fetch that has no data yet. It returns as soon as one record is
    // there, so it adds no latency to new records; but kafkajs acts on a resumed partition (after a
    // retry backoff) or a rebalance only between fetches, so a short wait bounds that delay, for
    // ~10 empty fetches/s per broker when idle.
    fetchMaxWaitMs: r.int('KAFKA_FETCH_MAX_WAIT_MS', 100, { min: 10, max: 30_000 }),
    sessionTimeoutMs: r.int('KAFKA_SESSION_TIMEOUT_MS', 30_000, { min: 6_000, max: 300_000 }),
    heartbeatIntervalMs: r.int('KAFKA_HEARTBEAT_INTERVAL_MS', 3_000, { min: 100, max: 60_000 }),
    transactionTimeoutMs: r.int('VERIFIER_TRANSACTION_TIMEOUT_MS', 10_000, { min: 1_000, max: 900_000 }),
    retryInitialMs: r.int('VERIFIER_RETRY_INITIAL_MS', 100, { min: 1, max: 60_000 }),
    retryMaxMs: r.int('VERIFIER_RETRY_MAX_MS', 5_000, { min: 1, max: 300_000 }),
    shutdownTimeoutMs: r.int('VERIFIER_SHUTDOWN_TIMEOUT_MS', 30_000, { min: 1_000, max: 600_000 }),
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
  };
  if (config.heartbeatIntervalMs * 3 > config.sessionTimeoutMs) r.problem('KAFKA_HEARTBEAT_INTERVAL_MS must be at most a third of KAFKA_SESSION_TIMEOUT_MS');
  // §7.4: a replay must always meet either its dedup key or the age window.
  if (signing.maxAgeSeconds >= config.dedupTtlSeconds) r.problem(`${SIGNING_ENV.MAX_AGE} (${signing.maxAgeSeconds}) must be less than DEDUP_TTL_SECONDS (${config.dedupTtlSeconds})`);
  if (config.retryInitialMs > config.retryMaxMs) r.problem('VERIFIER_RETRY_INITIAL_MS must not exceed VERIFIER_RETRY_MAX_MS');
  return r.done(config);
}
