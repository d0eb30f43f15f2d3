import type { Clock } from '../ports.js';

/** A clock that stands still until told otherwise: deterministic tests of expiry and timestamps. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
  set(ms: number): void;
  /** now() as an ISO-8601 string (for DecideMeta.decidedAt). */
  iso(): string;
}

/** A ManualClock starting at `startMs` (default 2025-01-01T00:00:00Z). */
export function fixedClock(startMs: number = Date.UTC(2025, 0, 1)): ManualClock {
  let t = startMs;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
    set(ms) {
      t = ms;
    },
    iso: () => new Date(t).toISOString(),
  };
}
