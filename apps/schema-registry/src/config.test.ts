import { describe, expect, test } from '@jest/globals';
import { ConfigError } from '@flk/config';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  test('defaults: the stack’s ports and topic', () => {
    expect(loadConfig({})).toMatchObject({
      port: 8081,
      host: '127.0.0.1',
      brokers: ['127.0.0.1:9092'],
      topic: '_schemas',
      defaultCompatibility: 'BACKWARD',
      logLevel: 'info',
    });
  });

  test('reads the environment', () => {
    const c = loadConfig({ SCHEMA_REGISTRY_PORT: '0', KAFKA_BROKERS: 'a:1, b:2', SCHEMA_REGISTRY_COMPATIBILITY: 'full_transitive' });
    expect(c).toMatchObject({ port: 0, brokers: ['a:1', 'b:2'], defaultCompatibility: 'FULL_TRANSITIVE' });
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
