// The agent's configuration: read from the environment once, at start-up, validated in one go
// (every bad variable named in one ConfigError; key values never appear in messages).
import { readFileSync } from 'node:fs';
import { EnvReader, readKafkaConnection, readRegistryConnection, type Env, type KafkaConnection, type RegistryConnection } from '@flk/config';
import { createEd25519Signer, createHmacSigner, FlkPcsError, ID_PATTERN, PCS_VERSIONS, SIGN_ALGS, type PcsVersion, type SignAlg, type Signer } from '@flk/pcs';
import type { RetryPolicy, WindowOptions } from '@flk/agent';

export interface AgentConfig {
  brokers: string[];
  /** KAFKA_SSL / KAFKA_SSL_CA_FILE (a CA file implies TLS). */
  ssl: KafkaConnection['ssl'];
  /** KAFKA_SASL_MECHANISM / KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD. */
  sasl?: KafkaConnection['sasl'];
  registryUrl: string;
  /** SCHEMA_REGISTRY_USERNAME / SCHEMA_REGISTRY_PASSWORD (basic auth); never logged. */
  registryAuth?: RegistryConnection['registryAuth'];
  submittedTopic: string;
  verdictsTopic: string;
  clientId: string;
  signAlg: SignAlg;
  /** AGENT_PCS_VERSION: '0.2' (default; PCS_TENANT_ID required) or '0.1' on request. */
  version: PcsVersion;
  tenantId: string | undefined;
  keyId: string | undefined;
  /** Built from the key, which is not kept anywhere else in the config. */
  signer: Signer | undefined;
  window: Required<Pick<WindowOptions, 'maxEvents' | 'maxSpanMs' | 'epochStart'>>;
  seed: number;
  outboxSeqStart: number;
  batchSize: number;
  lingerMs: number;
  retry: RetryPolicy;
  connectTimeoutMs: number;
  ackTimeoutMs: number;
  clientRetries: number;
  logLevel: string;
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

export function loadConfig(env: Env, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): AgentConfig {
  const r = new EnvReader(env);
  const signAlg = r.oneOf('PCS_SIGN_ALG', SIGN_ALGS, 'none');
  let signer: Signer | undefined;
  if (signAlg === 'hmac') {
    // PCS_HMAC_KEY is the verifiers' key ring (comma-separated); an agent signs with the first key.
    const first = r.secret('PCS_HMAC_KEY')?.split(',')[0]?.trim();
    if (!first) r.problem('PCS_HMAC_KEY: required when PCS_SIGN_ALG=hmac (the agent signs with the first key of the list)');
    else signer = createHmacSigner(first);
  } else if (signAlg === 'ed25519') {
    const priv = r.secret('PCS_ED25519_PRIV_B64')?.trim();
    if (!priv) r.problem('PCS_ED25519_PRIV_B64: required when PCS_SIGN_ALG=ed25519');
    else {
      try {
        signer = createEd25519Signer(priv);
      } catch (err) {
        // FlkPcsError messages describe the problem, never the key.
        r.problem(`PCS_ED25519_PRIV_B64: ${err instanceof FlkPcsError ? err.message : 'unusable key'}`);
      }
    }
  }
  // Contract v0.2 by default (§7: every verdict-deciding byte signed, the key bound to a tenant).
  const version = r.oneOf('AGENT_PCS_VERSION', PCS_VERSIONS, '0.2');
  const tenantId = r.optionalString('PCS_TENANT_ID');
  const keyId = r.optionalString('PCS_KEY_ID');
  if (version === '0.2') {
    if (tenantId === undefined) r.problem('PCS_TENANT_ID: required for v0.2 records (or set AGENT_PCS_VERSION=0.1)');
    else if (!ID_PATTERN.test(tenantId)) r.problem('PCS_TENANT_ID: 1-64 characters of [a-z0-9._-], the first a letter or digit');
    if (keyId !== undefined && !ID_PATTERN.test(keyId)) r.problem('PCS_KEY_ID: 1-64 characters of [a-z0-9._-], the first a letter or digit');
    if (keyId === undefined && signAlg !== 'none') r.problem('PCS_KEY_ID: required to sign v0.2 records (the verifiers check the one key it names)');
  }
  const initialDelayMs = r.int('AGENT_RETRY_INITIAL_MS', 200, { min: 0, max: 600_000 });
  const maxDelayMs = r.int('AGENT_RETRY_MAX_MS', 10_000, { min: 0, max: 3_600_000 });
  if (maxDelayMs < initialDelayMs) r.problem('AGENT_RETRY_MAX_MS: must be ≥ AGENT_RETRY_INITIAL_MS');
  const kafka = readKafkaConnection(r, readFile);

  return r.done({
    ...kafka,
    ...readRegistryConnection(r),
    submittedTopic: r.string('PCS_SUBMITTED_TOPIC', 'pcs.submitted'),
    verdictsTopic: r.string('PCS_VERDICTS_TOPIC', 'pcs.verdicts'),
    clientId: r.string('AGENT_CLIENT_ID', 'flk-agent'),
    signAlg,
    version,
    tenantId: version === '0.2' ? tenantId : undefined,
    keyId: version === '0.2' ? keyId : undefined,
    signer,
    window: {
      maxEvents: r.int('AGENT_WINDOW_EVENTS', 1000, { min: 1, max: 1_000_000 }),
      maxSpanMs: r.int('AGENT_WINDOW_MS', 0, { min: 0 }),
      epochStart: r.int('AGENT_EPOCH_START', 1),
    },
    seed: r.int('AGENT_SEED', 42),
    outboxSeqStart: r.int('AGENT_OUTBOX_SEQ_START', 1, { min: 0 }),
    batchSize: r.int('AGENT_BATCH_SIZE', 100, { min: 1, max: 10_000 }),
    lingerMs: r.int('AGENT_LINGER_MS', 50, { min: 0, max: 60_000 }),
    retry: {
      maxAttempts: r.int('AGENT_PUBLISH_MAX_ATTEMPTS', 8, { min: 1, max: 1000 }),
      initialDelayMs,
      maxDelayMs,
      multiplier: r.number('AGENT_RETRY_MULTIPLIER', 2, { min: 1, max: 10 }),
    },
    connectTimeoutMs: r.int('AGENT_CONNECT_TIMEOUT_MS', 3000, { min: 100, max: 600_000 }),
    ackTimeoutMs: r.int('AGENT_ACK_TIMEOUT_MS', 30_000, { min: 100, max: 600_000 }),
    clientRetries: r.int('AGENT_KAFKA_CLIENT_RETRIES', 3, { min: 1, max: 100 }),
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
  });
}
