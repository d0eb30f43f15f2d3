import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { round9, round9Exact } from './round.js';

const corpus = JSON.parse(readFileSync(new URL('../../../test/vectors/round9.json', import.meta.url), 'utf8')) as {
  count: number;
  cases: Array<[string, string]>;
};
const view = new DataView(new ArrayBuffer(8));
const fromBits = (hex: string): number => {
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
};
const toBits = (x: number): string => {
  view.setFloat64(0, x);
  return view.getBigUint64(0).toString(16).padStart(16, '0');
};

describe('round9 (§2.2)', () => {
  test('agrees bit for bit with Python round(x, 9) on the generated corpus', () => {
    expect(corpus.cases.length).toBe(corpus.count);
    expect(corpus.count).toBeGreaterThan(20_000);
    const wrong: string[] = [];
    for (const [x, want] of corpus.cases) {
      const got = toBits(round9(fromBits(x)));
      if (got !== want) wrong.push(`${x} (${fromBits(x)}): got ${got}, want ${want}`);
    }
    expect(wrong).toEqual([]);
  });

  test('the contract examples', () => {
    expect(round9(0.0009765625)).toBe(0.000976562); // exact binary midpoint: ties to even
    expect(round9(5e-7)).toBe(5e-7);
    expect(round9(2.0)).toBe(2);
    expect(round9(0.0029296875)).toBe(0.002929688); // midpoint rounding up to even
  });

  test('decides on the exact binary value, not a rescaled one', () => {
    // 0.0000000015 is slightly below 1.5e-9 in binary, 1.0000000005 slightly above 1 + 5e-10.
    expect(round9(0.0000000015)).toBe(0.000000001);
    expect(round9(1.0000000005)).toBe(1.000000001);
    expect(round9(2.675)).toBe(2.675);
  });

  test('signed zero, tiny, huge and non-finite inputs', () => {
    expect(Object.is(round9(-0), 0)).toBe(true);
    expect(Object.is(round9(-4e-10), 0)).toBe(true);
    expect(round9(5e-324)).toBe(0);
    expect(round9(Number.MAX_VALUE)).toBe(Number.MAX_VALUE);
    expect(round9(2 ** 53 + 2)).toBe(2 ** 53 + 2);
    expect(round9(4503599627370495.5)).toBe(4503599627370495.5); // |x| < 2^52 with .5: already 9 digits
    expect(round9(Number.NaN)).toBeNaN();
    expect(round9(Infinity)).toBe(Infinity);
  });

  test('is idempotent, odd, and moves x by at most 5e-10 (property)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const y = round9(x);
        expect(round9(y)).toBe(y);
        expect(round9(-x)).toBe(y === 0 ? 0 : -y);
        // Half a unit in the 9th decimal, plus the rounding of y itself and of the subtraction
        // (each at most half an ulp of |x| at these magnitudes).
        if (Math.abs(x) < 1e6) expect(Math.abs(y - x)).toBeLessThanOrEqual(5e-10 + Math.abs(x) * Number.EPSILON);
      }),
      { numRuns: 5000 },
    );
  });

  test('the fast path agrees with the exact path, near ties included (property)', () => {
    const nearTie = fc.tuple(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.integer({ min: -64, max: 64 })).map(([k, ulps]) => {
      // (k + 0.5) / 1e9 as a double, then nudged by a few ulps either way.
      let v = (k + 0.5) / 1e9;
      const step = Math.max(Number.MIN_VALUE, Math.abs(v) * Number.EPSILON);
      v += ulps * step;
      return v;
    });
    fc.assert(
      fc.property(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), nearTie), (x) => {
        expect(Object.is(round9(x), round9Exact(x))).toBe(true);
      }),
      { numRuns: 20000 },
    );
  });
});
