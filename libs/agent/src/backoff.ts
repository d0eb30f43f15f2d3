// Retry timing of the outbox: exponential backoff with "equal jitter". Pure (randomness injected).
import { invalidOptions } from './errors.js';

export interface RetryPolicy {
  /** Sends of one batch before its records are given up as unpublished (≥ 1; 1 = no retry). */
  maxAttempts: number;
  /** Base delay after the first failed attempt, ms. */
  initialDelayMs: number;
  /** Cap of the base delay, ms. */
  maxDelayMs: number;
  /** Growth of the base delay per failed attempt (≥ 1). */
  multiplier: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 8,
  initialDelayMs: 200,
  maxDelayMs: 10_000,
  multiplier: 2,
});

export function validateRetryPolicy(p: RetryPolicy): RetryPolicy {
  if (!Number.isSafeInteger(p.maxAttempts) || p.maxAttempts < 1) throw invalidOptions('retry maxAttempts must be an integer ≥ 1');
  if (!Number.isFinite(p.initialDelayMs) || p.initialDelayMs < 0) throw invalidOptions('retry initialDelayMs must be a number ≥ 0');
  if (!Number.isFinite(p.maxDelayMs) || p.maxDelayMs < p.initialDelayMs) throw invalidOptions('retry maxDelayMs must be ≥ initialDelayMs');
  if (!Number.isFinite(p.multiplier) || p.multiplier < 1) throw invalidOptions('retry multiplier must be ≥ 1');
  return { ...p };
}

/**
 * Delay before the next attempt after `failedAttempts` consecutive failures (≥ 1):
 * base = min(maxDelayMs, initialDelayMs · multiplier^(failedAttempts − 1)), delay = base/2 + U·base/2
 * with U = random() in [0, 1). Half is fixed (a real pause even with bad luck), half is random (many
 * agents retrying against one recovering broker do not arrive in lockstep). Rounded to whole ms.
 */
export function backoffDelay(failedAttempts: number, policy: RetryPolicy, random: () => number): number {
  const n = Math.max(1, Math.floor(failedAttempts));
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * Math.pow(policy.multiplier, n - 1));
  const u = Math.min(Math.max(random(), 0), 1);
  return Math.round(base / 2 + (u * base) / 2);
}
