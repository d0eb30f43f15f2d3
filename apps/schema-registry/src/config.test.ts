import { describe, expect, test } from '@jest/globals';
import { ConfigError } from '@flk/config';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  test('defaults: the stack’s ports and topic', () => {
    expect(loadConfig({})).toMatchObject({
      port: 8081,
      host: '127.0.0.1',
      brokers: ['127.0.0.1:9092'],
      ssl: false,
      topic: '_schemas',
      defaultCompatibility: 'BACKWARD',
      logLevel: 'info',
    });
  });

  test('reads the environment', () => {
    const c = loadConfig({ SCHEMA_REGISTRY_PORT: '0', KAFKA_BROKERS: 'a:1, b:2', SCHEMA_REGISTRY_COMPATIBILITY: 'full_transitive' });
    expect(c).toMatchObject({ port: 0, brokers: ['a:1', 'b:2'], defaultCompatibility: 'FULL_TRANSITIVE' });
    expect(c.sasl).toBeUndefined();
  });

  test('Kafka TLS with a CA file (read through the injected readFile) and SASL', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const read: string[] = [];
    const c = loadConfig(
      { KAFKA_BROKERS: 'kafka:9093', KAFKA_SSL_CA_FILE: '/etc/flk/kafka-ca/ca.crt', KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'registry', KAFKA_SASL_PASSWORD: 'pw' },
      (path) => {
        read.push(path);
        return pem;
      },
    );
    expect(read).toEqual(['/etc/flk/kafka-ca/ca.crt']);
    expect(c).toMatchObject({ brokers: ['kafka:9093'], ssl: { ca: pem }, sasl: { mechanism: 'scram-sha-256', username: 'registry', password: 'pw' } });
    expect(loadConfig({ KAFKA_SSL: 'true' }).ssl).toBe(true);
  });

  test('SASL without a password, an unreadable CA file: a ConfigError naming the variables, no secret echoed', () => {
    let err: unknown;
    try {
      loadConfig({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'registry', KAFKA_SSL_CA_FILE: '/missing/ca.crt' }, () => {
        throw new Error('ENOENT');
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      'KAFKA_SSL_CA_FILE: cannot read /missing/ca.crt',
      'KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required with KAFKA_SASL_MECHANISM',
    ]);

    let unknown: unknown;
    try {
      loadConfig({ KAFKA_SASL_MECHANISM: 'oauthbearer', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'do-not-echo' });
    } catch (e) {
      unknown = e;
    }
    expect((unknown as ConfigError).message).toContain('KAFKA_SASL_MECHANISM: expected one of plain, scram-sha-256, scram-sha-512');
    expect((unknown as ConfigError).message).not.toContain('do-not-echo');
  });

  test('a bad value is a ConfigError naming every bad variable', () => {
    let err: unknown;
    try {
      loadConfig({ SCHEMA_REGISTRY_PORT: '80x', KAFKA_BROKERS: 'nohost', SCHEMA_REGISTRY_COMPATIBILITY: 'SOMETIMES', LOG_LEVEL: 'loud' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as ConfigError).message;
    for (const name of ['SCHEMA_REGISTRY_PORT', 'KAFKA_BROKERS', 'SCHEMA_REGISTRY_COMPATIBILITY', 'LOG_LEVEL']) expect(message).toContain(name);
  });
});
