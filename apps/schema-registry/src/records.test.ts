import { describe, expect, test } from '@jest/globals';
import { decodeRecord, encodeRecord, type LogRecord } from './records.js';

describe('encodeRecord: Confluent _schemas format', () => {
  test('schema record', () => {
    const r: LogRecord = {
      type: 'schema',
      subject: 'pcs.submitted-value',
      version: 2,
      value: { subject: 'pcs.submitted-value', version: 2, id: 7, schema: '"string"', deleted: false, schemaType: 'AVRO' },
    };
    expect(encodeRecord(r)).toEqual({
      key: '{"keytype":"SCHEMA","subject":"pcs.submitted-value","version":2,"magic":1}',
      value: '{"subject":"pcs.submitted-value","version":2,"id":7,"schema":"\\"string\\"","deleted":false}',
    });
  });

  test('tombstone, config, global config and noop', () => {
    expect(encodeRecord({ type: 'schema', subject: 's', version: 1, value: null })).toEqual({
      key: '{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}',
      value: null,
    });
    expect(encodeRecord({ type: 'config', subject: 's', value: { compatibilityLevel: 'FULL' } })).toEqual({
      key: '{"keytype":"CONFIG","subject":"s","magic":0}',
      value: '{"compatibilityLevel":"FULL"}',
    });
    expect(encodeRecord({ type: 'config', subject: null, value: null }).key).toBe('{"keytype":"CONFIG","subject":null,"magic":0}');
    expect(encodeRecord({ type: 'noop' })).toEqual({ key: '{"keytype":"NOOP","magic":0}', value: null });
  });
});

describe('decodeRecord', () => {
  test('round trips every record kind', () => {
    const records: LogRecord[] = [
      { type: 'schema', subject: 's', version: 1, value: { subject: 's', version: 1, id: 1, schema: '"int"', deleted: true, schemaType: 'AVRO' } },
      { type: 'schema', subject: 's', version: 1, value: null },
      { type: 'config', subject: 's', value: { compatibilityLevel: 'NONE' } },
      { type: 'config', subject: null, value: { compatibilityLevel: 'FORWARD_TRANSITIVE' } },
      { type: 'config', subject: 's', value: null },
      { type: 'noop' },
    ];
    for (const r of records) {
      const e = encodeRecord(r);
      expect(decodeRecord(e.key, e.value)).toEqual({ ok: true, record: r });
    }
  });

  test('reads records written by Confluent (global config without subject, other key types)', () => {
    expect(decodeRecord('{"keytype":"CONFIG","magic":0}', '{"compatibilityLevel":"backward"}')).toEqual({
      ok: true,
      record: { type: 'config', subject: null, value: { compatibilityLevel: 'BACKWARD' } },
    });
    expect(decodeRecord('{"keytype":"DELETE_SUBJECT","subject":"s","magic":0}', '{"subject":"s","version":3}')).toEqual({
      ok: true,
      record: { type: 'ignored', keytype: 'DELETE_SUBJECT' },
    });
  });

  test.each([
    ['no key', null, null],
    ['key not JSON', '{', null],
    ['key without keytype', '{"subject":"s"}', null],
    ['value not JSON', '{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}', 'nope'],
    ['schema value without id', '{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}', '{"schema":"\\"int\\""}'],
    ['schema key without version', '{"keytype":"SCHEMA","subject":"s","magic":1}', null],
    ['unknown level', '{"keytype":"CONFIG","subject":"s","magic":0}', '{"compatibilityLevel":"SOMETIMES"}'],
  ])('refuses %s', (_what, key, value) => {
    expect(decodeRecord(key, value).ok).toBe(false);
  });
});
