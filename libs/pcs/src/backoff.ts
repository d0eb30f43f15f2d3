// Retry timing of every FLK package: exponential backoff with "equal jitter". The delay after
// `attempt` consecutive failures (1-based) is uniform in [cap/2, cap], cap = min(maxMs,
// initialMs · multiplier^(attempt−1)). Half is fixed, so a tight retry loop cannot hammer a
// recovering dependency even with bad luck; half is random, so many partitions or agents retrying
// against one broker do not arrive in lockstep. Pure (randomness injected).
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Growth per failed attempt (≥ 1). Default 2. */
  multiplier?: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({ initialMs: 100, maxMs: 5000 });

export function backoffDelay(attempt: number, opts: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(attempt));
  // The exponent is capped so a long outage cannot overflow to Infinity before the min.
  const cap = Math.min(opts.maxMs, opts.initialMs * (opts.multiplier ?? 2) ** Math.min(n - 1, 30));
  const u = Math.min(Math.max(random(), 0), 1);
  return Math.round(cap / 2 + u * (cap / 2));
}
