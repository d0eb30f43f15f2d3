// The gateway's configuration: read from the environment once, at start-up, with @flk/config;
// every bad variable is reported in one ConfigError. The table is in docs/gateway.md.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { decideConfigOf, EnvReader, loadTenantRing, readKafkaConnection, readRedisConnection, readRegistryConnection, readSigningConfig, type Env, type KafkaConnection, type RedisConnectionConfig, type RegistryConnection, type SigningConfig } from '@flk/config';
import { DEFAULT_PARAMS, type DecideConfig } from '@flk/pcs';
import { createTokenStore, parseTokenFile, type TokenStore } from './auth.js';
import { parseTenantLimits, type RateLimits } from './rate-limit.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface GatewayConfig {
  kafka: { brokers: string[]; clientId: string; ssl: KafkaConnection['ssl']; sasl?: KafkaConnection['sasl'] };
  schemaRegistryUrl: string;
  /** SCHEMA_REGISTRY_USERNAME / SCHEMA_REGISTRY_PASSWORD (basic auth); never logged. */
  registryAuth: RegistryConnection['registryAuth'];
  /** REDIS_URL, or REDIS_SENTINELS + REDIS_SENTINEL_NAME (docs/redis-ha.md). */
  redis: { connection: RedisConnectionConfig; keyPrefix: string };
  topics: { submitted: string; verdicts: string; replies: string };
  /** Consumer group of the gateway replicas on the replies topic (each replica owns some partitions). */
  groupId: string;
  /** Prefix of this replica's reply keys (unique per process). */
  replicaId: string;
  http: { port: number; host: string; basicAuth?: { user: string; pass: string } };
  maxBodyBytes: number;
  /** How long a submission waits for its verdict, from the request's arrival, before 202 + Location. */
  verdictTimeoutMs: number;
  /** How long the broker may take to acknowledge a submission before 503 (at most verdictTimeoutMs). */
  ackTimeoutMs: number;
  /** Records per produce request (the gateway batches concurrent submissions into one request). */
  maxProduceBatch: number;
  rateLimits: RateLimits;
  /** GATEWAY_AUTH=bearer: every /v1 request needs a tenant's bearer token. */
  auth: TokenStore | null;
  /** Only the v0.2 tenant ring is used: to attribute a submission to a tenant whose signature checks out. */
  signing: SigningConfig;
  decide: DecideConfig;
  reloadDecideConfig?: () => DecideConfig;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  shutdownTimeoutMs: number;
  logLevel: LogLevel;
}

export function describeConfig(c: GatewayConfig): Record<string, unknown> {
  return {
    brokers: c.kafka.brokers,
    kafkaSsl: c.kafka.ssl !== false,
    kafkaSasl: c.kafka.sasl?.mechanism ?? 'none',
    registryAuth: c.registryAuth === undefined ? 'none' : 'basic',
    topics: c.topics,
    groupId: c.groupId,
    replicaId: c.replicaId,
    port: c.http.port,
    metricsAuth: c.http.basicAuth !== undefined,
    maxBodyBytes: c.maxBodyBytes,
    verdictTimeoutMs: c.verdictTimeoutMs,
    ackTimeoutMs: c.ackTimeoutMs,
    rateLimits: { tenant: c.rateLimits.tenant, shared: c.rateLimits.shared, overrides: c.rateLimits.overrides.size },
    auth: c.auth === null ? 'none' : `bearer (${c.auth.size} tokens)`,
    keyringFile: c.signing.keyringFile ?? null,
  };
}

export function loadConfig(env: Env, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): GatewayConfig {
  const r = new EnvReader(env);
  const { brokers, ssl, sasl } = readKafkaConnection(r, readFile);

  const metricsUser = r.optionalString('METRICS_USER');
  const metricsPass = r.secret('METRICS_PASS');
  if ((metricsUser === undefined) !== (metricsPass === undefined)) r.problem('METRICS_USER and METRICS_PASS must be set together');

  // The gateway decides nothing: it reads the v0.2 key ring (PCS_KEYRING_FILE, as the verifier)
  // only to know which tenant a submission really comes from, for its rate-limit bucket.
  const signing = readSigningConfig(r, { readFile, env });

  const rate = r.number('GATEWAY_TOKEN_RATE', 1000, { min: 0, max: 1e7 });
  const burst = r.int('GATEWAY_TOKEN_BURST', 2000, { min: 1, max: 1e8 });
  let overrides = new Map<string, { rate: number; burst: number }>();
  try {
    overrides = parseTenantLimits(r.optionalString('GATEWAY_TENANT_LIMITS'));
  } catch (err) {
    r.problem(`GATEWAY_TENANT_LIMITS: ${(err as Error).message}`);
  }
  const sharedRate = r.number('GATEWAY_SHARED_TOKEN_RATE', rate, { min: 0, max: 1e7 });
  const sharedBurst = r.int('GATEWAY_SHARED_TOKEN_BURST', burst, { min: 1, max: 1e8 });

  const authMode = r.oneOf('GATEWAY_AUTH', ['none', 'bearer'] as const, 'none');
  let auth: TokenStore | null = null;
  if (authMode === 'bearer') {
    const file = r.optionalString('GATEWAY_TOKENS_FILE');
    if (file === undefined) r.problem('GATEWAY_TOKENS_FILE: required when GATEWAY_AUTH=bearer');
    else {
      try {
        auth = createTokenStore(parseTokenFile(readFile(file)));
      } catch (err) {
        r.problem(`GATEWAY_TOKENS_FILE: ${(err as { code?: string }).code === 'ENOENT' ? `cannot read ${file}` : (err as Error).message}`);
      }
    }
  }

  const verdictTimeoutMs = r.int('GATEWAY_VERDICT_TIMEOUT_MS', 2000, { min: 0, max: 60_000 });
  const config: GatewayConfig = {
    kafka: { brokers, clientId: r.string('KAFKA_CLIENT_ID', `flk-gateway-${hostname()}-${process.pid}`), ssl, sasl },
    ...((reg) => ({ schemaRegistryUrl: reg.registryUrl, registryAuth: reg.registryAuth }))(readRegistryConnection(r)),
    redis: { connection: readRedisConnection(r, env), keyPrefix: r.optionalString('REDIS_KEY_PREFIX') ?? '' },
    topics: {
      submitted: r.string('PCS_SUBMITTED_TOPIC', 'pcs.submitted'),
      verdicts: r.string('PCS_VERDICTS_TOPIC', 'pcs.verdicts'),
      replies: r.string('PCS_REPLIES_TOPIC', 'pcs.replies'),
    },
    groupId: r.string('GATEWAY_GROUP_ID', 'flk-gateway'),
    replicaId: r.string('GATEWAY_REPLICA_ID', `${hostname()}-${process.pid}`),
    http: {
      port: r.int('GATEWAY_PORT', 8080, { min: 0, max: 65535 }),
      host: r.string('GATEWAY_HOST', '0.0.0.0'),
      basicAuth: metricsUser !== undefined && metricsPass !== undefined ? { user: metricsUser, pass: metricsPass } : undefined,
    },
    maxBodyBytes: r.int('GATEWAY_MAX_BODY_BYTES', 262_144, { min: 1024, max: 1_048_576 }),
    verdictTimeoutMs,
    ackTimeoutMs: r.int('GATEWAY_KAFKA_ACK_TIMEOUT_MS', Math.min(1000, Math.max(verdictTimeoutMs, 100)), { min: 50, max: 60_000 }),
    maxProduceBatch: r.int('GATEWAY_MAX_PRODUCE_BATCH', 500, { min: 1, max: 10_000 }),
    rateLimits: { tenant: { rate, burst }, shared: { rate: sharedRate, burst: sharedBurst }, overrides },
    auth,
    signing,
    decide: decideConfigOf(signing, DEFAULT_PARAMS),
    reloadDecideConfig:
      signing.keyringFile === undefined ? undefined : () => decideConfigOf(signing, DEFAULT_PARAMS, loadTenantRing(signing.keyringFile!, { readFile, env })),
    sessionTimeoutMs: r.int('KAFKA_SESSION_TIMEOUT_MS', 10_000, { min: 6_000, max: 300_000 }),
    heartbeatIntervalMs: r.int('KAFKA_HEARTBEAT_INTERVAL_MS', 1_000, { min: 100, max: 60_000 }),
    shutdownTimeoutMs: r.int('GATEWAY_SHUTDOWN_TIMEOUT_MS', 10_000, { min: 1_000, max: 600_000 }),
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
  };
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(config.replicaId)) r.problem('GATEWAY_REPLICA_ID: 1-64 characters of [A-Za-z0-9._-]');
  if (config.heartbeatIntervalMs * 3 > config.sessionTimeoutMs) r.problem('KAFKA_HEARTBEAT_INTERVAL_MS must be at most a third of KAFKA_SESSION_TIMEOUT_MS');
  if (verdictTimeoutMs > 0 && config.ackTimeoutMs > verdictTimeoutMs) r.problem('GATEWAY_KAFKA_ACK_TIMEOUT_MS must not exceed GATEWAY_VERDICT_TIMEOUT_MS');
  return r.done(config);
}
