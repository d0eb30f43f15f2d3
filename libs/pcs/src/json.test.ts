import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { readJson } from './json.js';

describe('readJson', () => {
  test('reads what JSON.stringify writes, like JSON.parse (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const text = JSON.stringify(value);
        const read = readJson(text, 32);
        expect(read.ok).toBe(true);
        if (read.ok) expect(JSON.stringify(read.value)).toBe(JSON.stringify(JSON.parse(text)));
      }),
    );
  });

  test('accepts the NaN / Infinity / -Infinity tokens Python writes', () => {
    const read = readJson('{"a": NaN, "b": [Infinity, -Infinity], "c": 1e999}', 32);
    expect(read.ok && read.value).toEqual({ a: NaN, b: [Infinity, -Infinity], c: Infinity });
  });

  test.each([
    ['', 'json'],
    ['{', 'json'],
    ['{"a":1,}', 'json'],
    ['[1,]', 'json'],
    ['01', 'json'],
    ['1.', 'json'],
    ['.5', 'json'],
    ['+1', 'json'],
    ['"\u0001"', 'json'],
    ['"\\x"', 'json'],
    ['"\\u12"', 'json'],
    ['\ufeff{}', 'json'],
    ['{} {}', 'json'],
    ["{'a':1}", 'json'],
    ['nan', 'json'],
    ['-NaN', 'json'],
    ['{"a":1,"a":2}', 'duplicate_key:a'],
    ['{"x":{"y":[{"z":1,"z":1}]}}', 'duplicate_key:x.y[0].z'],
    ['{"a b\u00e9":1,"a b\u00e9":2}', 'duplicate_key:a?b?'],
  ])('rejects %j as %s', (text, detail) => {
    expect(readJson(text, 32)).toEqual({ ok: false, detail });
  });

  test('nesting is bounded', () => {
    expect(readJson('[[[1]]]', 3).ok).toBe(true);
    expect(readJson('[[[[1]]]]', 3)).toEqual({ ok: false, detail: 'too_deep' });
  });

  test('__proto__ is an ordinary key', () => {
    const read = readJson('{"__proto__": {"polluted": true}}', 32);
    expect(read.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    if (read.ok) expect(Object.keys(read.value as object)).toEqual(['__proto__']);
  });

  test('never throws on arbitrary text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const read = readJson(text, 32);
        let native: unknown;
        try {
          native = JSON.parse(text);
        } catch {
          native = undefined;
        }
        // Anything JSON.parse accepts without duplicate keys we accept with the same value.
        if (native !== undefined && read.ok) expect(JSON.stringify(read.value)).toBe(JSON.stringify(native));
      }),
      { numRuns: 2000 },
    );
  });

  test('deep nesting is refused before it can exhaust the stack', () => {
    expect(readJson('['.repeat(100_000), 32)).toEqual({ ok: false, detail: 'too_deep' });
  });
});
