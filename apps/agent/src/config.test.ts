import { describe, expect, test } from '@jest/globals';
import { ConfigError } from '@flk/config';
import { createKeyRing, signingDigest, type SignedFields } from '@flk/pcs';
import { TEST_KEYS } from '@flk/pcs/testing';
import { loadConfig } from './config.js';

const digestOf = () => signingDigest({ pcs_id: 'a', merkle_root: 'b', epoch: 1, shard_id: 's', D_hat: 1, coh_star: 0.5, r: 0.5, budget: 0.5 } as SignedFields);

describe('agent config', () => {
  test('v0.2 by default: the tenant is required, and the key id when signing', () => {
    expect(() => loadConfig({})).toThrow(/PCS_TENANT_ID: required for v0.2 records \(or set AGENT_PCS_VERSION=0.1\)/);
    expect(() => loadConfig({ PCS_TENANT_ID: 'acme', PCS_SIGN_ALG: 'hmac', PCS_HMAC_KEY: 'k' })).toThrow(/PCS_KEY_ID: required/);
    expect(() => loadConfig({ PCS_TENANT_ID: 'ACME' })).toThrow(/PCS_TENANT_ID: 1-64 characters/);
    expect(loadConfig({ PCS_TENANT_ID: 'acme', PCS_KEY_ID: 'acme-1', PCS_SIGN_ALG: 'hmac', PCS_HMAC_KEY: 'k' })).toMatchObject({ version: '0.2', tenantId: 'acme', keyId: 'acme-1' });
    expect(loadConfig({ AGENT_PCS_VERSION: '0.1', PCS_TENANT_ID: 'acme' })).toMatchObject({ version: '0.1', tenantId: undefined });
  });

  test('defaults', () => {
    const c = loadConfig({ AGENT_PCS_VERSION: '0.1' });
    expect(c).toMatchObject({
      brokers: ['127.0.0.1:9092'],
      ssl: false,
      registryUrl: 'http://127.0.0.1:8081',
      submittedTopic: 'pcs.submitted',
      signAlg: 'none',
      signer: undefined,
      window: { maxEvents: 1000, maxSpanMs: 0, epochStart: 1 },
      seed: 42,
      batchSize: 100,
      retry: { maxAttempts: 8, initialDelayMs: 200, maxDelayMs: 10_000, multiplier: 2 },
    });
  });

  test('hmac signs with the first key of the ring', () => {
    const c = loadConfig({ AGENT_PCS_VERSION: '0.1', PCS_SIGN_ALG: 'hmac', PCS_HMAC_KEY: ` ${TEST_KEYS.hmacKey} ,older` });
    const sig = c.signer!.sign(digestOf());
    expect(createKeyRing({ alg: 'hmac', hmacKeys: [TEST_KEYS.hmacKey] }).verify(digestOf(), sig)).toBe(true);
  });

  test('ed25519', () => {
    const c = loadConfig({ AGENT_PCS_VERSION: '0.1', PCS_SIGN_ALG: 'ed25519', PCS_ED25519_PRIV_B64: TEST_KEYS.ed25519PrivB64 });
    expect(createKeyRing({ alg: 'ed25519', ed25519PublicKeysB64: [TEST_KEYS.ed25519PubB64] }).verify(digestOf(), c.signer!.sign(digestOf()))).toBe(true);
  });

  test('every problem at once, keys never echoed', () => {
    let err: unknown;
    try {
      loadConfig({ AGENT_PCS_VERSION: '0.1', PCS_SIGN_ALG: 'ed25519', PCS_ED25519_PRIV_B64: 'c2VjcmV0LXZhbHVl', AGENT_WINDOW_EVENTS: '0', AGENT_RETRY_INITIAL_MS: '500', AGENT_RETRY_MAX_MS: '100', KAFKA_BROKERS: ' , ' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems.map((p) => p.split(':')[0])).toEqual(['PCS_ED25519_PRIV_B64', 'AGENT_RETRY_MAX_MS', 'KAFKA_BROKERS', 'AGENT_WINDOW_EVENTS']);
    expect((err as Error).message).not.toContain('c2VjcmV0LXZhbHVl');
  });

  test('Kafka TLS with a CA file (read through the injected readFile) and SASL', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const read: string[] = [];
    const c = loadConfig(
      { AGENT_PCS_VERSION: '0.1', KAFKA_BROKERS: 'kafka:9093', KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/etc/flk/kafka-ca/ca.crt', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'agent-1', KAFKA_SASL_PASSWORD: 'pw' },
      (path) => {
        read.push(path);
        return pem;
      },
    );
    expect(read).toEqual(['/etc/flk/kafka-ca/ca.crt']);
    expect(c).toMatchObject({ brokers: ['kafka:9093'], ssl: { ca: pem }, sasl: { mechanism: 'plain', username: 'agent-1', password: 'pw' } });
    expect(loadConfig({ AGENT_PCS_VERSION: '0.1' }).sasl).toBeUndefined();
  });

  test('SASL without a password, an unreadable CA file, a broker without a port: one ConfigError naming them', () => {
    let err: unknown;
    try {
      loadConfig({ AGENT_PCS_VERSION: '0.1', KAFKA_BROKERS: 'kafka', KAFKA_SSL_CA_FILE: '/missing/ca.crt', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'agent-1' }, () => {
        throw new Error('ENOENT');
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      "KAFKA_BROKERS: 'kafka' is not host:port",
      'KAFKA_SSL_CA_FILE: cannot read /missing/ca.crt',
      'KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required with KAFKA_SASL_MECHANISM',
    ]);
  });

  test('hmac without a key', () => {
    expect(() => loadConfig({ AGENT_PCS_VERSION: '0.1', PCS_SIGN_ALG: 'hmac' })).toThrow(/PCS_HMAC_KEY: required/);
    expect(() => loadConfig({ AGENT_PCS_VERSION: '0.1', PCS_SIGN_ALG: 'rsa' })).toThrow(/PCS_SIGN_ALG/);
  });
});
