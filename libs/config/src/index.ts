// Start-up configuration: apps read process.env exactly once, through these readers, and get typed
// values or one ConfigError naming every bad variable. Libs never read the environment.
export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'CONFIG_INVALID' as const;
  /** A bad setting stays bad until someone changes it. */
  readonly retriable = false;
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

/** Collects problems so one start-up reports all bad variables at once. */
export class EnvReader {
  private readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  private raw(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  }

  string(name: string, fallback?: string): string {
    const v = this.raw(name) ?? fallback;
    if (v === undefined) {
      this.problems.push(`${name}: required`);
      return '';
    }
    return v;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  /** A secret: its value never appears in an error message. */
  secret(name: string): string | undefined {
    return this.env[name] === undefined || this.env[name] === '' ? undefined : this.env[name];
  }

  list(name: string, fallback: readonly string[] = []): string[] {
    const v = this.raw(name);
    if (v === undefined) return [...fallback];
    return v.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  }

  int(name: string, fallback: number, { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = {}): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const n = /^-?\d+$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      this.problems.push(`${name}: expected an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
      return fallback;
    }
    return n;
  }

  number(name: string, fallback: number, { min = -Infinity, max = Infinity } = {}): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) {
      this.problems.push(`${name}: expected a number in [${min}, ${max}], got ${JSON.stringify(v)}`);
      return fallback;
    }
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.raw(name)?.toLowerCase();
    if (v === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    this.problems.push(`${name}: expected true or false, got ${JSON.stringify(v)}`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(v)) {
      this.problems.push(`${name}: expected one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
      return fallback;
    }
    return v as T;
  }

  url(name: string, fallback?: string): string {
    const v = this.raw(name) ?? fallback;
    if (v === undefined) {
      this.problems.push(`${name}: required`);
      return '';
    }
    try {
      new URL(v);
    } catch {
      this.problems.push(`${name}: not a URL`);
    }
    return v;
  }

  /** Adds a problem found by a cross-field check (e.g. a key required by another setting). */
  problem(message: string): void {
    this.problems.push(message);
  }

  /** Throws ConfigError listing every problem, or returns the value built from the readers. */
  done<T>(value: T): T {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
    return value;
  }
}

export { describeKafkaConnection, KAFKA_SASL_MECHANISMS, readKafkaConnection } from './kafka-connection.js';
export { describeRegistryConnection, readRegistryConnection } from './registry-connection.js';
export type { RegistryConnection } from './registry-connection.js';
export type { KafkaConnection, KafkaConnectionOptions, KafkaSaslMechanism } from './kafka-connection.js';
export { decideConfigOf, loadTenantRing, readDecisionWindow, readSigningConfig, SIGNING_ENV, type DecisionWindow, type SigningConfig, type SigningOptions } from './signing.js';
export { DEFAULT_REDIS_URL, describeRedisConnection, readRedisConnection, REDIS_ENV } from './redis-connection.js';
export type { RedisConnectionConfig, RedisWaitConfig } from './redis-connection.js';
