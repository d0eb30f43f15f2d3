import { describe, expect, test } from '@jest/globals';
import { backoffDelay } from './backoff.js';

describe('backoffDelay (equal jitter)', () => {
  test('within [cap/2, cap], doubling by default, capped', () => {
    const opts = { initialMs: 100, maxMs: 5000 };
    expect(backoffDelay(1, opts, () => 0)).toBe(50);
    expect(backoffDelay(1, opts, () => 1)).toBe(100);
    expect(backoffDelay(3, opts, () => 1)).toBe(400);
    expect(backoffDelay(50, opts, () => 0)).toBe(2500);
    expect(backoffDelay(50, opts, () => 1)).toBe(5000);
    expect(backoffDelay(10_000, opts, () => 1)).toBe(5000);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(4, opts);
      expect(d).toBeGreaterThanOrEqual(400);
      expect(d).toBeLessThanOrEqual(800);
    }
  });

  test('a multiplier other than 2; half fixed, half jitter', () => {
    const opts = { initialMs: 100, maxMs: 1000, multiplier: 3 };
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, opts, () => 0))).toEqual([50, 150, 450, 500]);
    expect(backoffDelay(2, { initialMs: 100, maxMs: 1000, multiplier: 1 }, () => 0.5)).toBe(75);
  });

  test('out-of-range randomness is clamped', () => {
    expect(backoffDelay(1, { initialMs: 100, maxMs: 1000 }, () => 7)).toBe(100);
    expect(backoffDelay(1, { initialMs: 100, maxMs: 1000 }, () => -1)).toBe(50);
  });
});
