import { describe, expect, test } from '@jest/globals';
import { backoffDelay, retryBackoff, validateRetryPolicy } from './index.js';

const policy = { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2 };

describe('the outbox retry policy through backoffDelay', () => {
  test('grows exponentially and is capped; half fixed, half jitter', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, retryBackoff(policy), () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, retryBackoff(policy), () => 0.999999))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(2, retryBackoff(policy), () => 0.5)).toBe(150);
  });
  test('out-of-range randomness is clamped', () => {
    expect(backoffDelay(1, retryBackoff(policy), () => 7)).toBe(100);
    expect(backoffDelay(1, retryBackoff(policy), () => -1)).toBe(50);
  });
  test('policy validation', () => {
    expect(() => validateRetryPolicy({ ...policy, maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => validateRetryPolicy({ ...policy, maxDelayMs: 10 })).toThrow(/maxDelayMs/);
    expect(() => validateRetryPolicy({ ...policy, multiplier: 0.5 })).toThrow(/multiplier/);
    expect(validateRetryPolicy(policy)).toEqual(policy);
  });
});
