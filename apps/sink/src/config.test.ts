import { describe, expect, test } from '@jest/globals';
import { ConfigError } from '@flk/config';
import { describeConfig, loadSinkConfig } from './config.js';

describe('loadSinkConfig', () => {
  test('defaults (docs/pipeline.md, docs/sink.md)', () => {
    expect(loadSinkConfig({})).toEqual({
      brokers: ['127.0.0.1:9092'],
      clientId: 'flk-sink',
      registryUrl: 'http://127.0.0.1:8081',
      verdictsTopic: 'pcs.verdicts',
      groupId: 'flk-sink',
      sessionTimeoutMs: 30000,
      httpPort: 9465,
      metricsAuth: undefined,
      auditDir: '.flk/audit',
      auditSegmentBytes: 64 * 1024 * 1024,
      logLevel: 'info',
    });
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
});
