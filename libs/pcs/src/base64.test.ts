import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { base64Decode, base64Encode } from './base64.js';

describe('strict base64', () => {
  test('round-trips any bytes and matches Buffer on canonical input (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const s = base64Encode(bytes);
        expect(s).toBe(Buffer.from(bytes).toString('base64'));
        expect(base64Decode(s)).toEqual(bytes);
      }),
    );
  });

  test.each([
    ['missing padding', 'YQ'],
    ['non-zero trailing bits', 'YR=='],
    ['non-zero trailing bits (1 pad)', 'YWJ='],
    ['url-safe alphabet', 'a-_a'],
    ['whitespace', 'YWJj '],
    ['padding in the middle', 'YQ==YWJj'],
    ['only padding', '===='],
    ['non-ASCII', 'YWJ\u00e9'],
  ])('rejects %s', (_name, text) => {
    expect(base64Decode(text)).toBeNull();
  });

  test('accepts the empty string as zero bytes', () => {
    expect(base64Decode('')).toEqual(new Uint8Array(0));
  });
});
