import { describe, expect, test } from '@jest/globals';
import { canonicalJson, createAvroEngine } from './avro.js';
import { RequestError } from './errors.js';
import { record, V1, V2_OPTIONAL, V2_REQUIRED } from './test-support.js';

const engine = createAvroEngine();

function invalid(fn: () => unknown): RequestError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RequestError);
    return err as RequestError;
  }
  throw new Error('expected an invalid schema');
}

describe('canonicalJson', () => {
  test('sorts keys at every depth and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 0, y: 'x' }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":"x","z":0}]},"b":1}');
  });
});

describe('parse', () => {
  test('keeps the schema as sent, minified', () => {
    const pretty = JSON.stringify(JSON.parse(V1), null, 2);
    const parsed = engine.parse('AVRO', pretty);
    expect(parsed.text).toBe(V1);
    expect(parsed.schemaType).toBe('AVRO');
  });

  test('whitespace and key order do not change the identity', () => {
    const reordered = JSON.stringify({ fields: [{ type: 'string', name: 'id' }], namespace: 'flk.test', name: 'Event', type: 'record' });
    expect(engine.parse('AVRO', reordered).key).toBe(engine.parse('AVRO', `  ${JSON.stringify(JSON.parse(V1), null, 4)}\n`).key);
  });

  test('a different default, doc or logical type is a different schema', () => {
    const base = engine.parse('AVRO', V2_OPTIONAL).key;
    expect(engine.parse('AVRO', record([{ name: 'id', type: 'string' }, { name: 'count', type: 'int', default: 1 }])).key).not.toBe(base);
    expect(engine.parse('AVRO', record([{ name: 'id', type: 'string' }, { name: 'count', type: 'int', default: 0 }], 'Event', { doc: 'd' })).key).not.toBe(base);
    const ts = (logicalType?: string) =>
      engine.parse('AVRO', record([{ name: 'at', type: logicalType ? { type: 'long', logicalType } : { type: 'long' } }])).key;
    expect(ts('timestamp-millis')).not.toBe(ts());
  });

  test('primitive schemas', () => {
    expect(engine.parse('AVRO', '"string"').text).toBe('"string"');
    expect(engine.parse('AVRO', '{"type": "long"}').text).toBe('{"type":"long"}');
  });

  test.each([
    ['not JSON', '{"type": "record"'],
    ['unknown type', '{"type":"record","name":"R","fields":[{"name":"a","type":"nope"}]}'],
    ['bad default', '{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]}'],
    ['anonymous record', '{"type":"record","fields":[]}'],
    ['bare word', 'string'],
  ])('rejects %s with 42201', (_what, text) => {
    const err = invalid(() => engine.parse('AVRO', text));
    expect(err.errorCode).toBe(42201);
    expect(err.status).toBe(422);
  });

  test('rejects schema types other than AVRO', () => {
    expect(invalid(() => engine.parse('JSON', '{}')).message).toMatch(/AVRO only/);
  });
});

describe('readProblems', () => {
  test('adding a field with a default can read old data', () => {
    expect(engine.readProblems(V2_OPTIONAL, V1)).toEqual([]);
  });
  test('adding a field without a default cannot', () => {
    expect(engine.readProblems(V2_REQUIRED, V1)).toEqual([expect.stringMatching(/count/)]);
  });
  test('dropping a field is fine for the reader', () => {
    expect(engine.readProblems(V1, V2_REQUIRED)).toEqual([]);
  });
  test('int promotes to long, not the reverse', () => {
    const int = record([{ name: 'n', type: 'int' }]);
    const long = record([{ name: 'n', type: 'long' }]);
    expect(engine.readProblems(long, int)).toEqual([]);
    expect(engine.readProblems(int, long)).toHaveLength(1);
  });
  test('a renamed record is unreadable without an alias', () => {
    expect(engine.readProblems(record([{ name: 'id', type: 'string' }], 'Other'), V1)).toHaveLength(1);
    expect(engine.readProblems(record([{ name: 'id', type: 'string' }], 'Other', { aliases: ['flk.test.Event'] }), V1)).toEqual([]);
  });
});
