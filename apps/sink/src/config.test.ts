import { describe, expect, test } from '@jest/globals';
import { ConfigError } from '@flk/config';
import { generateNoteKey } from '@flk/audit';
import { describeConfig, loadSinkConfig } from './config.js';

describe('loadSinkConfig', () => {
  test('defaults (docs/pipeline.md, docs/sink.md)', () => {
    expect(loadSinkConfig({})).toEqual({
      brokers: ['127.0.0.1:9092'],
      ssl: false,
      clientId: 'flk-sink',
      registryUrl: 'http://127.0.0.1:8081',
      verdictsTopic: 'pcs.verdicts',
      groupId: 'flk-sink',
      sessionTimeoutMs: 30000,
      httpPort: 9465,
      metricsAuth: undefined,
      auditDir: '.flk/audit',
      auditSegmentBytes: 64 * 1024 * 1024,
      checkpoint: undefined,
      logLevel: 'info',
    });
  });
  test('checkpoints: the key from AUDIT_CHECKPOINT_KEY or _FILE, defaults, and the seed never in the loggable form', () => {
    const { signer, verifier } = generateNoteKey('flk.test/audit');
    const c = loadSinkConfig({ AUDIT_CHECKPOINT_KEY: signer });
    expect(c.checkpoint).toMatchObject({ origin: 'flk.test/audit', every: 1000, intervalMs: 10_000, topic: 'pcs.audit.checkpoints' });
    expect(c.checkpoint!.key.text).toBe(verifier);
    const logged = JSON.stringify(describeConfig(c));
    expect(logged).toContain(verifier);
    // PRIVATE+KEY+<name>+<hash>+<base64 of the seed>: the base64 may itself contain '+'.
    const seed = signer.split('+').slice(4).join('+');
    expect(seed.length).toBeGreaterThan(40);
    expect(logged).not.toContain(seed);
    const f = loadSinkConfig({ AUDIT_CHECKPOINT_KEY_FILE: '/k', AUDIT_CHECKPOINT_EVERY: '5', AUDIT_CHECKPOINT_INTERVAL_MS: '250', AUDIT_CHECKPOINT_ORIGIN: 'o', AUDIT_CHECKPOINT_TOPIC: 't' }, (p) => (p === '/k' ? `${signer}\n` : ''));
    expect(f.checkpoint).toMatchObject({ origin: 'o', every: 5, intervalMs: 250, topic: 't' });
  });
  test('bad checkpoint settings name their variable, and never show the key', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadSinkConfig(env, () => {
          throw new Error('ENOENT');
        });
      } catch (e) {
        return (e as ConfigError).problems.join('\n');
      }
      return '';
    };
    const { signer } = generateNoteKey('k');
    const broken = `${signer.slice(0, -4)}AAAA`;
    const p = problems({ AUDIT_CHECKPOINT_KEY: broken });
    expect(p).toContain('AUDIT_CHECKPOINT_KEY:');
    expect(p).not.toContain(broken.split('+').slice(4).join('+')); // the seed's base64 may contain '+'
    expect(problems({ AUDIT_CHECKPOINT_KEY: signer, AUDIT_CHECKPOINT_KEY_FILE: '/k' })).toContain('AUDIT_CHECKPOINT_KEY and AUDIT_CHECKPOINT_KEY_FILE');
    expect(problems({ AUDIT_CHECKPOINT_KEY_FILE: '/missing' })).toContain('AUDIT_CHECKPOINT_KEY_FILE: cannot read /missing');
    expect(problems({ AUDIT_CHECKPOINT_KEY: signer, AUDIT_CHECKPOINT_EVERY: '0' })).toContain('AUDIT_CHECKPOINT_EVERY');
    expect(problems({ AUDIT_CHECKPOINT_KEY: signer, AUDIT_CHECKPOINT_INTERVAL_MS: 'soon' })).toContain('AUDIT_CHECKPOINT_INTERVAL_MS');
    expect(problems({ AUDIT_CHECKPOINT_EVERY: '10' })).toContain('AUDIT_CHECKPOINT_KEY or AUDIT_CHECKPOINT_KEY_FILE: required');
  });

  test('values from the environment; the password never appears in the loggable form', () => {
    const c = loadSinkConfig({
      KAFKA_BROKERS: 'a:1, b:2',
      PCS_VERDICTS_TOPIC: 't',
      SINK_GROUP_ID: 'g',
      HTTP_PORT: '0',
      METRICS_USER: 'ops',
      METRICS_PASS: ' s3cret ',
      AUDIT_DIR: '/var/lib/flk/audit',
      AUDIT_SEGMENT_BYTES: '1048576',
      SINK_SESSION_TIMEOUT_MS: '6000',
      LOG_LEVEL: 'debug',
    });
    expect(c).toMatchObject({ brokers: ['a:1', 'b:2'], verdictsTopic: 't', groupId: 'g', httpPort: 0, metricsAuth: { user: 'ops', pass: ' s3cret ' }, auditDir: '/var/lib/flk/audit', auditSegmentBytes: 1048576, sessionTimeoutMs: 6000, logLevel: 'debug' });
    expect(JSON.stringify(describeConfig(c))).not.toContain('s3cret');
  });

  test('every problem at once', () => {
    let err: unknown;
    try {
      loadSinkConfig({ KAFKA_BROKERS: 'nohostport', HTTP_PORT: '70000', METRICS_USER: 'ops', LOG_LEVEL: 'loud', AUDIT_SEGMENT_BYTES: '10' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    for (const name of ['KAFKA_BROKERS', 'HTTP_PORT', 'METRICS_USER and METRICS_PASS', 'LOG_LEVEL', 'AUDIT_SEGMENT_BYTES']) expect(problems).toContain(name);
  });

  test('Kafka TLS with a CA file (read through the injected readFile) and SASL; neither logged', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const readFile = (path: string) => {
      if (path !== '/etc/flk/kafka-ca/ca.crt') throw new Error(`ENOENT: ${path}`);
      return pem;
    };
    const c = loadSinkConfig(
      { KAFKA_BROKERS: 'kafka:9093', KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/etc/flk/kafka-ca/ca.crt', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'flk', KAFKA_SASL_PASSWORD: 'kafka-s3cret' },
      readFile,
    );
    expect(c).toMatchObject({ brokers: ['kafka:9093'], ssl: { ca: pem }, sasl: { mechanism: 'scram-sha-512', username: 'flk', password: 'kafka-s3cret' } });
    const logged = JSON.stringify(describeConfig(c));
    expect(logged).not.toContain('kafka-s3cret');
    expect(logged).not.toContain('BEGIN CERTIFICATE');
    expect(describeConfig(c)).toMatchObject({ kafkaSsl: true, kafkaSasl: 'scram-sha-512' });
  });

  test('an unreadable CA file and SASL without a password are one ConfigError naming the variables', () => {
    let err: unknown;
    try {
      loadSinkConfig({ KAFKA_SSL_CA_FILE: '/missing/ca.crt', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'flk' }, () => {
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
  });
});
