// Exponential backoff with "equal jitter": the delay for attempt n (1-based) is uniform in
// [cap/2, cap], cap = min(maxMs, initialMs · 2^(n−1)). Never 0, so a tight retry loop cannot
// hammer a recovering dependency; the jitter spreads many partitions' retries apart.
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({ initialMs: 100, maxMs: 5000 });

export function backoffDelay(attempt: number, opts: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(attempt));
  const cap = Math.min(opts.maxMs, opts.initialMs * 2 ** Math.min(n - 1, 30));
  return Math.round(cap / 2 + random() * (cap / 2));
}
