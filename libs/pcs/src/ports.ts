// Ports: the narrow interfaces the pure core owns and the adapters (libs/redis, libs/kafka, ...)
// implement. Each declares only what the pipeline uses, so a fake and a real adapter can be held
// to the same conformance suite (@flk/pcs/testing).

/** Outcome of one atomic claim (`SET key value EX ttl NX`): first write wins. */
export type ClaimResult =
  | { readonly claimed: true }
  | { readonly claimed: false; readonly existing: Buffer };

/**
 * Values are bytes (the verifier stores a compact binary verdict, @flk/registry's stored form):
 * stored and returned verbatim, whatever they hold.
 */
export interface DedupStore {
  /** Atomically store `value` under `key` for `ttlSeconds` unless the key exists; never overwrites. */
  claim(key: string, value: Buffer, ttlSeconds: number): Promise<ClaimResult>;
  /** Batch form of claim, one round trip where the backend allows it; results are in input order. */
  claimMany(entries: ReadonlyArray<{ key: string; value: Buffer }>, ttlSeconds: number): Promise<ClaimResult[]>;
  /** The stored value, or null when absent or expired. */
  get(key: string): Promise<Buffer | null>;
}

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export type LogFields = Record<string, unknown>;
/** Structural subset of pino's Logger, so libs accept a pino instance without importing pino. */
export interface Logger {
  debug(fields: LogFields, msg?: string): void;
  info(fields: LogFields, msg?: string): void;
  warn(fields: LogFields, msg?: string): void;
  error(fields: LogFields, msg?: string): void;
}

export const systemClock: Clock = { now: () => Date.now() };

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
