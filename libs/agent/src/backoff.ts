// Retry policy of the outbox (its options); the delay itself is @flk/pcs's backoffDelay, the one
// backoff of every FLK package (equal jitter), fed by retryBackoff below.
import type { BackoffOptions } from '@flk/pcs';
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

/** The policy's delay parameters in the shape of @flk/pcs's backoffDelay. */
export function retryBackoff(p: RetryPolicy): BackoffOptions {
  return { initialMs: p.initialDelayMs, maxMs: p.maxDelayMs, multiplier: p.multiplier };
}
