import { describe, expect, test } from '@jest/globals';
import { AvroBoundsError, boundedType } from './bounded-avro.js';

// Zig-zag varint as Avro writes longs.
function varint(n: bigint): Buffer {
  let z = n >= 0n ? n << 1n : (-n << 1n) - 1n;
  const out: number[] = [];
  do {
    let b = Number(z & 0x7fn);
    z >>= 7n;
    if (z > 0n) b |= 0x80;
    out.push(b);
  } while (z > 0n);
  return Buffer.from(out);
}

describe('bounded avro types', () => {
  const arr = boundedType({ type: 'array', items: 'double' });
  const map = boundedType({ type: 'map', values: 'long' });

  test('round-trips ordinary arrays and maps', () => {
    expect(arr.fromBuffer(arr.toBuffer([1.5, -2, 3]))).toEqual([1.5, -2, 3]);
    expect({ ...map.fromBuffer(map.toBuffer({ a: 1, b: 2 })) }).toEqual({ a: 1, b: 2 });
  });

  test('an array claiming 2^29 items in a few bytes fails fast instead of allocating', () => {
    const lie = Buffer.concat([varint(2n ** 29n), Buffer.alloc(16)]);
    const t0 = Date.now();
    expect(() => arr.fromBuffer(lie)).toThrow(AvroBoundsError);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  test('negative block counts (with byte size) are bounded as well', () => {
    const lie = Buffer.concat([varint(-(2n ** 40n)), varint(8n), Buffer.alloc(8)]);
    expect(() => arr.fromBuffer(lie)).toThrow(AvroBoundsError);
  });

  test('a map claiming a multi-GB entry count is refused', () => {
    const lie = Buffer.concat([varint(3n * 2n ** 30n), Buffer.from([2, 0x61, 2])]);
    expect(() => map.fromBuffer(lie)).toThrow(AvroBoundsError);
  });

  test('map keys are data, not prototype', () => {
    const buf = Buffer.concat([varint(1n), varint(9n), Buffer.from('__proto__'), varint(7n), varint(0n)]);
    const v = map.fromBuffer(buf) as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBeNull();
    expect(v['__proto__']).toBe(7);
  });
});
