// In-memory DedupStore with the semantics of Redis `SET key value EX ttl NX`: the first claim
// wins, a claim never overwrites, and a key is gone once the clock is past its expiry (Redis
// treats a key as expired when now > expire time, in milliseconds; so do we).
import { FlkPcsError, PCS_ERROR_CODES } from '../errors.js';
import { systemClock, type ClaimResult, type Clock, type DedupStore } from '../ports.js';

export function checkTtl(ttlSeconds: number): void {
  // Redis rejects EX 0, negative and non-integer values ("invalid expire time"); so does the fake.
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1) {
    throw new FlkPcsError(PCS_ERROR_CODES.INVALID_ARGUMENT, `ttlSeconds must be a positive integer, got ${ttlSeconds}`);
  }
}

export function createMemoryDedupStore(clock: Clock = systemClock): DedupStore & { readonly size: () => number } {
  const entries = new Map<string, { value: Buffer; expiresAt: number }>();

  const live = (key: string): Buffer | null => {
    const e = entries.get(key);
    if (e === undefined) return null;
    if (clock.now() > e.expiresAt) {
      entries.delete(key);
      return null;
    }
    return Buffer.from(e.value); // a copy, as Redis returns: the caller cannot change the stored bytes
  };

  const claimNow = (key: string, value: Buffer, ttlSeconds: number): ClaimResult => {
    const existing = live(key);
    if (existing !== null) return { claimed: false, existing };
    entries.set(key, { value: Buffer.from(value), expiresAt: clock.now() + ttlSeconds * 1000 });
    return { claimed: true };
  };

  return {
    async claim(key, value, ttlSeconds) {
      checkTtl(ttlSeconds);
      return claimNow(key, value, ttlSeconds);
    },
    async claimMany(batch, ttlSeconds) {
      checkTtl(ttlSeconds);
      // In input order, so a key repeated within one batch is claimed by its first occurrence.
      return batch.map(({ key, value }) => claimNow(key, value, ttlSeconds));
    },
    async get(key) {
      return live(key);
    },
    size: () => {
      for (const key of [...entries.keys()]) live(key);
      return entries.size;
    },
  };
}
