// Per-tenant token buckets (pure: the clock is passed in). A request takes one token; a bucket
// refills at `rate` tokens/s up to `burst`. Tenants are only ever verified ones (a bearer token's
// tenant, or a v0.2 tenant_id whose signature checked out against the key ring): everything else
// shares one bucket, so a producer cannot mint fresh buckets by writing new tenant_ids.

export interface BucketLimit {
  /** Tokens per second. */
  rate: number;
  /** Bucket size (the largest burst admitted at once). */
  burst: number;
}

export interface RateLimits {
  /** For a verified tenant without an override. */
  tenant: BucketLimit;
  /** The one bucket of unauthenticated / unverified traffic. */
  shared: BucketLimit;
  overrides: ReadonlyMap<string, BucketLimit>;
}

export type Take = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface RateLimiter {
  /** Takes a token from `tenant`'s bucket (null = the shared bucket). */
  take(tenant: string | null, nowMs: number): Take;
  /** Buckets currently held (tests, metrics). */
  size(): number;
}

interface Bucket {
  tokens: number;
  at: number;
  limit: BucketLimit;
}

/** Buckets idle this long are full again anyway: dropping them bounds memory by active tenants. */
const IDLE_MS = 60_000;

export function createRateLimiter(limits: RateLimits): RateLimiter {
  const buckets = new Map<string, Bucket>();
  let lastSweep = 0;
  const SHARED = '\u0000shared'; // cannot collide with a tenant_id ([a-z0-9._-])

  const sweep = (now: number) => {
    if (now - lastSweep < IDLE_MS) return;
    lastSweep = now;
    for (const [k, b] of buckets) if (now - b.at > IDLE_MS) buckets.delete(k);
  };

  return {
    take(tenant, now) {
      sweep(now);
      const name = tenant ?? SHARED;
      let b = buckets.get(name);
      if (b === undefined) {
        const limit = tenant === null ? limits.shared : (limits.overrides.get(tenant) ?? limits.tenant);
        b = { tokens: limit.burst, at: now, limit };
        buckets.set(name, b);
      } else {
        b.tokens = Math.min(b.limit.burst, b.tokens + ((now - b.at) / 1000) * b.limit.rate);
        b.at = now;
      }
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return { ok: true };
      }
      // Whole seconds (Retry-After's unit), at least 1: when the next token will be there.
      const retryAfterSeconds = b.limit.rate > 0 ? Math.max(1, Math.ceil((1 - b.tokens) / b.limit.rate)) : 60;
      return { ok: false, retryAfterSeconds };
    },
    size: () => buckets.size,
  };
}

/**
 * `acme=500:1000,beta=20:40` → per-tenant overrides (rate:burst). Throws Error naming the bad entry
 * (the config reader turns it into a problem for GATEWAY_TENANT_LIMITS).
 */
export function parseTenantLimits(text: string | undefined): Map<string, BucketLimit> {
  const out = new Map<string, BucketLimit>();
  if (text === undefined) return out;
  for (const entry of text.split(',').map((s) => s.trim()).filter((s) => s.length > 0)) {
    const m = /^([a-z0-9][a-z0-9._-]{0,63})=(\d+(?:\.\d+)?):(\d+)$/.exec(entry);
    if (m === null) throw new Error(`'${entry}' is not tenant=rate:burst`);
    const limit = { rate: Number(m[2]), burst: Number(m[3]) };
    if (limit.burst < 1) throw new Error(`'${entry}': burst must be at least 1`);
    out.set(m[1]!, limit);
  }
  return out;
}
