import { describe, expect, test } from '@jest/globals';
import { logLevel } from 'kafkajs';
import { kafkaConfig, kafkaLogCreator } from './client.js';
import { KAFKA_ERROR_CODES, KafkaFencedError, toKafkaError } from './errors.js';
import { transactionalIdFor } from './transactional-output.js';

function kafkaJsError(name: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name, ...extra });
}

describe('kafka errors', () => {
  test('connection problems and exhausted retries are retriable outages', () => {
    const conn = kafkaJsError('KafkaJSConnectionError', 'Connection error: connect ECONNREFUSED 127.0.0.1:9092', { retriable: true });
    expect(toKafkaError(conn, 'send')).toMatchObject({ code: KAFKA_ERROR_CODES.UNAVAILABLE, retriable: true });
    const exhausted = kafkaJsError('KafkaJSNumberOfRetriesExceeded', 'retries exceeded', { retriable: false, cause: conn });
    expect(toKafkaError(exhausted, 'send')).toMatchObject({ code: KAFKA_ERROR_CODES.UNAVAILABLE, retriable: true });
  });

  test('a stale producer epoch (also wrapped, also as bare code 90) is "fenced"', () => {
    const epoch = kafkaJsError('KafkaJSProtocolError', 'epoch', { type: 'INVALID_PRODUCER_EPOCH', code: 47, retriable: false });
    expect(toKafkaError(epoch, 'commit')).toBeInstanceOf(KafkaFencedError);
    expect(toKafkaError(kafkaJsError('KafkaJSNumberOfRetriesExceeded', 'x', { cause: epoch }), 'commit')).toBeInstanceOf(KafkaFencedError);
    expect(toKafkaError(kafkaJsError('KafkaJSProtocolError', 'unknown', { code: 90 }), 'commit').code).toBe(KAFKA_ERROR_CODES.FENCED);
    expect(toKafkaError(epoch, 'commit').retriable).toBe(true);
  });

  test('authorisation and SASL failures are configuration errors; kafkajs state guards are bugs', () => {
    const auth = kafkaJsError('KafkaJSProtocolError', 'denied', { type: 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED' });
    expect(toKafkaError(auth, 'init')).toMatchObject({ code: KAFKA_ERROR_CODES.CONFIG, retriable: false });
    expect(toKafkaError(kafkaJsError('KafkaJSSASLAuthenticationError', 'bad password'), 'connect').retriable).toBe(false);
    const guard = kafkaJsError('KafkaJSNonRetriableError', 'Transaction state exception: Invalid transition');
    expect(toKafkaError(guard, 'commit')).toMatchObject({ code: KAFKA_ERROR_CODES.PROGRAMMER, retriable: false });
    expect(toKafkaError(new TypeError('x is not a function'), 'commit').retriable).toBe(false);
  });
});

describe('kafka client options', () => {
  test('brokers must be host:port; SASL needs credentials', () => {
    expect(() => kafkaConfig({ brokers: [], clientId: 'x' })).toThrow(/broker/);
    expect(() => kafkaConfig({ brokers: ['localhost'], clientId: 'x' })).toThrow(/host:port/);
    expect(() => kafkaConfig({ brokers: ['a:1'], clientId: 'x', sasl: { mechanism: 'plain', username: 'u', password: '' } })).toThrow(/SASL/);
    const c = kafkaConfig({ brokers: ['a:9092', 'b:9093'], clientId: 'x', ssl: true, sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' } });
    expect(c).toMatchObject({ brokers: ['a:9092', 'b:9093'], clientId: 'x', ssl: true, sasl: { mechanism: 'scram-sha-512' } });
  });

  test('transactional ids: <prefix>-<topic>-<partition>', () => {
    expect(transactionalIdFor('flk-verifier', 'pcs.submitted', 4)).toBe('flk-verifier-pcs.submitted-4');
  });

  test('kafkajs log lines reach the injected logger with whitelisted fields only', () => {
    const lines: Array<[string, Record<string, unknown>, string | undefined]> = [];
    const rec = (level: string) => (fields: Record<string, unknown>, msg?: string) => lines.push([level, fields, msg]);
    const log = kafkaLogCreator({ debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') })(logLevel.INFO);
    log({ namespace: 'Consumer', level: logLevel.ERROR, label: 'ERROR', log: { timestamp: 't', message: 'boom', groupId: 'g', payload: 'SECRET', password: 'p' } });
    log({ namespace: 'Producer', level: logLevel.WARN, label: 'WARN', log: { timestamp: 't', message: 'Limiting retries for the idempotent producer may invalidate EoS guarantees' } });
    expect(lines[0]).toEqual(['error', { component: 'kafkajs', namespace: 'Consumer', groupId: 'g' }, 'boom']);
    expect(lines[1]![0]).toBe('debug');
  });
});
