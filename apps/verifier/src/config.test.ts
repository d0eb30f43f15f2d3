import { describe, expect, test } from '@jest/globals';
import { ConfigError } from '@flk/config';
import { TEST_KEYS } from '@flk/pcs/testing';
import { describeConfig, loadConfig, redactUrl } from './config.js';

describe('verifier config', () => {
  test('defaults follow docs/pipeline.md', () => {
    const c = loadConfig({});
    expect(c.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(c.schemaRegistryUrl).toBe('http://127.0.0.1:8081');
    expect(c.redis.url).toBe('redis://127.0.0.1:6390');
    expect(c.topics).toEqual({ submitted: 'pcs.submitted', verdicts: 'pcs.verdicts', dlq: 'pcs.dlq' });
    expect(c.groupId).toBe('flk-verifier');
    expect(c.transactionalIdPrefix).toBe('flk-verifier');
    expect(c.http.port).toBe(9464);
    expect(c.http.basicAuth).toBeUndefined();
    expect(c.signAlg).toBe('none');
    expect(c.dedupTtlSeconds).toBe(1_209_600);
    expect(c.params.tolD).toBe(0.15);
  });

  test('keys, tolerances and batch sizes are read and validated', () => {
    const c = loadConfig({
      PCS_SIGN_ALG: 'hmac',
      PCS_HMAC_KEY: `${TEST_KEYS.hmacKey},${TEST_KEYS.hmacKey2}`,
      PCS_TOL_D: '0.2',
      PCS_BUDGET_BETA: '0.4',
      VERIFIER_MAX_BATCH_RECORDS: '100',
      VERIFIER_PARTITIONS_CONCURRENCY: '6',
      METRICS_USER: 'm',
      METRICS_PASS: 'secret',
      VERIFIER_GROUP_ID: 'g1',
    });
    expect(c.keyRing.alg).toBe('hmac');
    expect(c.params.tolD).toBe(0.2);
    expect(c.params.budget.beta).toBe(0.4);
    expect(c.maxBatchRecords).toBe(100);
    expect(c.partitionsConsumedConcurrently).toBe(6);
    expect(c.http.basicAuth).toEqual({ user: 'm', pass: 'secret' });
    expect(c.transactionalIdPrefix).toBe('g1');
    expect(JSON.stringify(describeConfig(c))).not.toContain('secret');
    expect(JSON.stringify(describeConfig(c))).not.toContain(TEST_KEYS.hmacKey);
  });

  test('every problem in one ConfigError, with no secret echoed', () => {
    let err: unknown;
    try {
      loadConfig({ PCS_SIGN_ALG: 'ed25519', PCS_ED25519_PUB_B64: 'c2VjcmV0LWlzaA==', PCS_TOL_D: '-1', METRICS_USER: 'u', HTTP_PORT: 'x', KAFKA_BROKERS: 'nohost' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as ConfigError).message;
    for (const name of ['PCS_ED25519_PUB_B64', 'PCS_TOL_D', 'METRICS_USER', 'HTTP_PORT', 'KAFKA_BROKERS']) expect(msg).toContain(name);
    expect(msg).not.toContain('c2VjcmV0LWlzaA==');
  });

  test('hmac without a key is a configuration error', () => {
    expect(() => loadConfig({ PCS_SIGN_ALG: 'hmac' })).toThrow(/PCS_HMAC_KEY/);
  });

  test('Kafka TLS (CA file through the injected readFile) and SASL; neither is logged', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const c = loadConfig(
      { KAFKA_BROKERS: 'kafka:9093', KAFKA_SSL_CA_FILE: '/etc/flk/kafka-ca/ca.crt', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'flk', KAFKA_SASL_PASSWORD: 'kafka-s3cret' },
      (path) => (path === '/etc/flk/kafka-ca/ca.crt' ? pem : ''),
    );
    expect(c.kafka).toMatchObject({ brokers: ['kafka:9093'], ssl: { ca: pem }, sasl: { mechanism: 'scram-sha-512', username: 'flk', password: 'kafka-s3cret' } });
    expect(describeConfig(c)).toMatchObject({ kafkaSsl: true, kafkaSasl: 'scram-sha-512' });
    expect(JSON.stringify(describeConfig(c))).not.toContain('kafka-s3cret');
    expect(loadConfig({ KAFKA_SSL: 'true' }).kafka.ssl).toBe(true);
    expect(loadConfig({}).kafka).toMatchObject({ ssl: false, sasl: undefined });
  });

  test('an unreadable CA file and SASL without a password are problems naming the variables', () => {
    expect(() =>
      loadConfig({ KAFKA_SSL_CA_FILE: '/missing/ca.crt', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'flk' }, () => {
        throw new Error('ENOENT');
      }),
    ).toThrow(/KAFKA_SSL_CA_FILE: cannot read \/missing\/ca\.crt\n\s*KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required with KAFKA_SASL_MECHANISM/);
  });

  test('credentials inside URLs are redacted for logs', () => {
    expect(redactUrl('redis://user:pw@host:6390/0')).toBe('redis://***:***@host:6390/0');
  });
});
