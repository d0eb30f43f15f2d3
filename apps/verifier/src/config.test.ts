import { describe, expect, test } from '@jest/globals';
import { ConfigError } from '@flk/config';
import { TEST_KEYS } from '@flk/pcs/testing';
import { describeConfig, loadConfig, redactUrl } from './config.js';

describe('verifier config', () => {
  test('defaults follow docs/pipeline.md', () => {
    const c = loadConfig({ PCS_SIGN_ALG: 'none' });
    expect(c.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(c.schemaRegistryUrl).toBe('http://127.0.0.1:8081');
    expect(c.redis.connection).toEqual({ mode: 'single', url: 'redis://127.0.0.1:6390', wait: { replicas: 0, timeoutMs: 1000 } });
    expect(c.topics).toEqual({ submitted: 'pcs.submitted', verdicts: 'pcs.verdicts', dlq: 'pcs.dlq', replies: 'pcs.replies' });
    expect(c.groupId).toBe('flk-verifier');
    expect(c.transactionalIdPrefix).toBe('flk-verifier');
    expect(c.http.port).toBe(9464);
    expect(c.http.basicAuth).toBeUndefined();
    expect(c.signing.signAlg).toBe('none');
    expect(c.decide.signatures).toBe(false);
    expect(c.signing.acceptVersions).toEqual(['0.1', '0.2']);
    expect(c.signing.maxAgeSeconds).toBe(1_036_800);
    expect(c.signing.maxSkewSeconds).toBe(300);
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
    expect(c.decide.v01?.alg).toBe('hmac');
    expect(c.decide.signatures).toBe(true);
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

  test('fail closed: no signing configuration at all is an error naming what is missing', () => {
    expect(() => loadConfig({})).toThrow(/no signing configuration: set PCS_KEYRING_FILE .* PCS_SIGN_ALG=none/);
  });

  test('a key ring file: loaded at start-up; bad rings and missing secrets name the entry', () => {
    const files: Record<string, string> = {
      '/ring.json': JSON.stringify({ keys: [{ key_id: 'acme-1', tenant_id: 'acme', alg: 'hmac', secret_file: '/s/acme-1' }, { key_id: 'g-1', tenant_id: 'globex', alg: 'hmac', secret_env: 'G1_KEY' }] }),
      '/s/acme-1': 'acme-secret\n',
      '/bad.json': '{"keys":[{"key_id":"a","tenant_id":"a","alg":"rsa","secret":"x"}]}',
    };
    const read = (p: string) => {
      if (files[p] === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return files[p]!;
    };
    const c = loadConfig({ PCS_KEYRING_FILE: '/ring.json', G1_KEY: 'globex-secret' }, read);
    expect(c.decide.tenants?.tenants).toEqual(['acme', 'globex']);
    expect(c.decide.signatures).toBe(true);
    expect(c.decide.v01).toBeNull();
    expect(JSON.stringify(describeConfig(c))).not.toMatch(/acme-secret|globex-secret/);
    expect(() => loadConfig({ PCS_KEYRING_FILE: '/ring.json' }, read)).toThrow(/PCS_KEYRING_FILE: keys\[1\] \(key_id g-1\): secret_env: variable G1_KEY is not set/);
    expect(() => loadConfig({ PCS_KEYRING_FILE: '/bad.json' }, read)).toThrow(/PCS_KEYRING_FILE: keys\[0\] \(key_id a\): unknown alg 'rsa'/);
    expect(() => loadConfig({ PCS_KEYRING_FILE: '/nope.json' }, read)).toThrow(/PCS_KEYRING_FILE: cannot read \/nope.json \(ENOENT\)/);
    expect(() => loadConfig({ PCS_KEYRING_FILE: '/s/acme-1' }, read)).toThrow(/PCS_KEYRING_FILE: not JSON/);
  });

  test('the replay window must be shorter than the dedup TTL; versions are checked', () => {
    expect(() => loadConfig({ PCS_SIGN_ALG: 'none', PCS_MAX_AGE_SECONDS: '100', DEDUP_TTL_SECONDS: '100' })).toThrow(/PCS_MAX_AGE_SECONDS \(100\) must be less than DEDUP_TTL_SECONDS \(100\)/);
    expect(loadConfig({ PCS_SIGN_ALG: 'none', PCS_MAX_AGE_SECONDS: '99', DEDUP_TTL_SECONDS: '100' }).signing.maxAgeSeconds).toBe(99);
    expect(() => loadConfig({ PCS_SIGN_ALG: 'none', PCS_ACCEPT_VERSIONS: '0.2,0.3' })).toThrow(/PCS_ACCEPT_VERSIONS/);
    expect(loadConfig({ PCS_SIGN_ALG: 'none', PCS_ACCEPT_VERSIONS: '0.2' }).decide.acceptVersions.has('0.1')).toBe(false);
  });

  test('hmac without a key is a configuration error', () => {
    expect(() => loadConfig({ PCS_SIGN_ALG: 'hmac' })).toThrow(/PCS_HMAC_KEY/);
  });

  test('Kafka TLS (CA file through the injected readFile) and SASL; neither is logged', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const c = loadConfig(
      { PCS_SIGN_ALG: 'none', KAFKA_BROKERS: 'kafka:9093', KAFKA_SSL_CA_FILE: '/etc/flk/kafka-ca/ca.crt', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'flk', KAFKA_SASL_PASSWORD: 'kafka-s3cret' },
      (path) => (path === '/etc/flk/kafka-ca/ca.crt' ? pem : ''),
    );
    expect(c.kafka).toMatchObject({ brokers: ['kafka:9093'], ssl: { ca: pem }, sasl: { mechanism: 'scram-sha-512', username: 'flk', password: 'kafka-s3cret' } });
    expect(describeConfig(c)).toMatchObject({ kafkaSsl: true, kafkaSasl: 'scram-sha-512' });
    expect(JSON.stringify(describeConfig(c))).not.toContain('kafka-s3cret');
    expect(loadConfig({ KAFKA_SSL: 'true', PCS_SIGN_ALG: 'none' }).kafka.ssl).toBe(true);
    expect(loadConfig({ PCS_SIGN_ALG: 'none' }).kafka).toMatchObject({ ssl: false, sasl: undefined });
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
